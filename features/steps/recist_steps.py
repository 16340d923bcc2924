"""RECIST 1.1 steps: lesion tables and investigator responses (Given), time-point and best overall
responses of the JSON document (Then).

Given, besides the one-lesion steps of ``given.py``:

- ``Given the target lesions measure:`` with a table ``| lesion | site | node | <date> | <date> ... |``:
  one TumorSize Observation per lesion and date; a cell is ``40`` (mm), ``4.0 cm`` or ``-`` (not
  measured); ``node`` is ``yes`` for a lymph node (the size is then its short axis).
- ``Given the non-target lesions are:`` with ``| lesion | site | <date> ... |``: cells ``present``,
  ``absent``, ``progressing`` (unequivocal progression), ``-`` (not assessed), or a size (``8 mm``).
- ``Given the investigator reported PR on 2024-04-02``: a time-point response Observation (any of
  CR, PR, SD, non-CR/non-PD, PD, NE); ``Given the investigator reported the code "NON-CR/NON-PD" on
  2024-04-02``: the code exactly as written (spelling and case), as an EHR might send it.
- ``Given new lesions on 2024-04-02 are seen|not seen``: a new-lesion Observation, or nothing.
- ``Given a new-lesion measurement of "X1" in the lung of 2 [in_i] on 2024-03-04``: a TumorSize
  Observation with the lesion role "new" in the unit written (a UCUM code); ``Given a new-lesion
  measurement without an identity of 12 mm on 2024-03-04``: the same with neither focus nor bodySite.
- ``Given a target lesion "L1" in the liver measuring 20 mm dated only by the month 2024-03`` (or ``the
  year 2025``): a measurement whose date is a partial FHIR date, written so.
- ``Given a target lymph node "N1" in the mesentery measuring 22 x 12 mm on 2024-01-02``: a TumorSize
  panel with the longest dimension (33728-7) and the other dimension, the short axis (33729-5).

Then: "the target / non-target / overall response on <date> is ..." make that response's rule the
focus of ``And the rule is "..."`` (then.py), so scenarios cite the rule that decided.
``Then the text output shows "..."``: a line of ``prrt-cds evaluate --format text`` holds the text.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import factories as fx
from pytest_bdd import given, parsers, then

from cds.document import to_text
from steps.chart import Chart, Outcome
from steps.patterns import DATE, RESPONSE

STATUS = {"present": "present", "absent": "absent", "progressing": "unequivocal-progression"}


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _size(cell: str) -> tuple[float, str]:
    number, _, unit = cell.strip().partition(" ")
    return float(number), unit.strip() or "mm"


def _dates(header: list[str], fixed: int) -> list[str]:
    dates = [h.strip() for h in header[fixed:]]
    for day in dates:
        assert len(day) == 10 and day[4] == "-", f"column {day!r} is not a date YYYY-MM-DD"
    return dates


# --- Given ------------------------------------------------------------------------------------------


@given("the target lesions measure:")
def target_lesion_table(chart: Chart, datatable: list[list[str]]) -> None:
    header = [h.strip() for h in datatable[0]]
    assert header[:3] == ["lesion", "site", "node"], "columns: | lesion | site | node | <date> ... |"
    dates = _dates(header, 3)
    for row in datatable[1:]:
        lesion, site, node = (c.strip() for c in row[:3])
        focus = chart.lesion_site(lesion, site)
        for day, cell in zip(dates, row[3:], strict=True):
            if cell.strip() in ("", "-"):
                continue
            size, unit = _size(cell)
            oid = chart.next_id("lesion")
            chart.add(lambda when, oid=oid, size=size, unit=unit, focus=focus, node=node: fx.lesion(
                oid, size, unit, focus=focus, role="target", lymph_node=node == "yes" or None, when=when,
            ), _day(day))


@given("the non-target lesions are:")
def non_target_table(chart: Chart, datatable: list[list[str]]) -> None:
    header = [h.strip() for h in datatable[0]]
    assert header[:2] == ["lesion", "site"], "columns: | lesion | site | <date> ... |"
    dates = _dates(header, 2)
    for row in datatable[1:]:
        lesion, site = (c.strip() for c in row[:2])
        focus = chart.lesion_site(lesion, site)
        for day, cell in zip(dates, row[2:], strict=True):
            cell = cell.strip()
            if cell in ("", "-"):
                continue
            if cell in STATUS:
                oid = chart.next_id("nontarget")
                chart.add(lambda when, oid=oid, status=STATUS[cell], focus=focus: fx.non_target_status(
                    oid, status, focus, when=when), _day(day))
                continue
            size, unit = _size(cell)
            oid = chart.next_id("lesion")
            chart.add(lambda when, oid=oid, size=size, unit=unit, focus=focus: fx.lesion(
                oid, size, unit, focus=focus, role="non-target", when=when), _day(day))


@given(parsers.re(rf"the investigator reported (?P<response>{RESPONSE}) on (?P<day>{DATE})"))
def investigator_response(chart: Chart, response: str, day: str) -> None:
    oid = chart.next_id("response")
    chart.add(lambda when: fx.timepoint_response(oid, response, when=when), _day(day))


@given(parsers.re(rf'the investigator reported the code "(?P<code>[^"]*)" on (?P<day>{DATE})'))
def investigator_code(chart: Chart, code: str, day: str) -> None:
    """A time-point response whose code is written exactly so (case, spaces), in urn:prrt-cds:recist."""
    oid = chart.next_id("response")
    chart.add(lambda when: fx.timepoint_response(oid, code, when=when), _day(day))


@given(parsers.re(rf"new lesions on (?P<day>{DATE}) are (?P<seen>seen|not seen)"))
def new_lesions_seen(chart: Chart, day: str, seen: str) -> None:
    if seen == "seen":
        oid = chart.next_id("new")
        chart.add(lambda when: fx.new_lesion(oid, True, when=when), _day(day))


@given(parsers.re(
    rf'a target lesion "(?P<lesion>[^"]+)" in (?:the )?(?P<site>.+?) measuring (?P<size>\d+(?:\.\d+)?) '
    rf"without a unit on (?P<day>{DATE})"
))
def lesion_without_unit(chart: Chart, lesion: str, site: str, size: str, day: str) -> None:
    """A TumorSize Observation whose Quantity has a value and no unit (malformed input)."""
    focus = chart.lesion_site(lesion, site)
    oid = chart.next_id("lesion")
    chart.add(lambda when: fx.lesion(oid, float(size), None, focus=focus, when=when), _day(day))


@given(parsers.re(rf"a target lesion without an identity measuring (?P<size>\d+(?:\.\d+)?) mm on (?P<day>{DATE})"))
def lesion_without_identity(chart: Chart, size: str, day: str) -> None:
    """A TumorSize Observation with neither focus nor bodySite (malformed input)."""
    oid = chart.next_id("lesion")
    chart.add(lambda when: fx.lesion(oid, float(size), "mm", focus=None, when=when), _day(day))


@given(parsers.re(
    rf'a new-lesion measurement of "(?P<lesion>[^"]+)" in (?:the )?(?P<site>.+?) of (?P<size>-?\d+(?:\.\d+)?) '
    rf"(?P<unit>\S+) on (?P<day>{DATE})"
))
def new_lesion_measurement(chart: Chart, lesion: str, site: str, size: str, unit: str, day: str) -> None:
    """A TumorSize Observation with the lesion role "new", its unit the UCUM code written (any, e.g. "[in_i]")."""
    focus = chart.lesion_site(lesion, site)
    oid = chart.next_id("lesion")
    chart.add(lambda when: fx.lesion(oid, float(size), unit, focus=focus, role="new", when=when), _day(day))


@given(parsers.re(rf"a new-lesion measurement without an identity of (?P<size>\d+(?:\.\d+)?) mm on (?P<day>{DATE})"))
def new_lesion_without_identity(chart: Chart, size: str, day: str) -> None:
    """A TumorSize Observation with the lesion role "new" and neither focus nor bodySite."""
    oid = chart.next_id("lesion")
    chart.add(lambda when: fx.lesion(oid, float(size), "mm", focus=None, role="new", when=when), _day(day))


@given(parsers.re(
    r'a target lesion "(?P<lesion>[^"]+)" in (?:the )?(?P<site>.+?) measuring (?P<size>\d+(?:\.\d+)?) mm dated only '
    r"by the (?:month|year) (?P<written>\d{4}(?:-\d{2})?)"
))
def lesion_partial_date(chart: Chart, lesion: str, site: str, size: str, written: str) -> None:
    """A TumorSize Observation whose ``effectiveDateTime`` is a partial FHIR date ("2024-03", "2024")."""
    focus = chart.lesion_site(lesion, site)
    oid = chart.next_id("lesion")
    chart.add(lambda _when: fx.lesion(oid, float(size), "mm", focus=focus, role="target", when=written), None)


@given(parsers.re(
    r'an? (?P<role>target|non-target) lymph node "(?P<lesion>[^"]+)" in (?:the )?(?P<site>.+?) measuring '
    rf"(?P<longest>\d+(?:\.\d+)?) x (?P<short>\d+(?:\.\d+)?) mm on (?P<day>{DATE})"
))
def lymph_node_two_axes(chart: Chart, role: str, lesion: str, site: str, longest: str, short: str, day: str) -> None:
    """A TumorSize panel as mCODE writes it: the longest dimension in component 33728-7, the other
    dimension (the short axis) in component 33729-5, the lymph-node component true."""
    focus = chart.lesion_site(lesion, site)
    oid = chart.next_id("lesion")

    def build(when: str) -> dict[str, Any]:
        resource = fx.lesion(oid, float(longest), "mm", focus=focus, role=role, lymph_node=True, when=when)
        resource["component"].append({"code": fx.concept(fx.LOINC, "33729-5"),
                                      "valueQuantity": fx.quantity(float(short), "mm")})
        return resource

    chart.add(build, _day(day))


# --- Then -------------------------------------------------------------------------------------------


def _describe(entry: Any) -> str:
    return json.dumps(entry, indent=1, default=str)


def _responses(outcome: Outcome) -> list[dict[str, Any]]:
    responses: list[dict[str, Any]] = outcome.patient["responses"]
    return responses


def _response(outcome: Outcome, day: str) -> dict[str, Any]:
    found = [r for r in _responses(outcome) if r["date"] == day]
    assert found, f"no response on {day}; the responses are on {[r['date'] for r in _responses(outcome)]}"
    return found[0]


def _focus(outcome: Outcome, entry: dict[str, Any], part: str) -> None:
    """Make this response's rule for ``part`` the subject of ``the rule is "..."`` (then.py)."""
    outcome.focus = {**entry, "rule": entry.get("rules", {}).get(part)}


@then(parsers.re(rf"the target response on (?P<day>{DATE}) is (?P<response>CR|PR|SD|PD|NE|none)"))
def target_response(outcome: Outcome, day: str, response: str) -> None:
    entry = _response(outcome, day)
    expected = None if response == "none" else response
    assert entry["target"] == expected, f"target response on {day}: {entry['target']}\n{_describe(entry)}"
    _focus(outcome, entry, "target")


@then(parsers.re(rf"the non-target response on (?P<day>{DATE}) is (?P<response>CR|non-CR/non-PD|PD|NE|none)"))
def non_target_response(outcome: Outcome, day: str, response: str) -> None:
    entry = _response(outcome, day)
    expected = None if response == "none" else response
    assert entry["non_target"] == expected, f"non-target response on {day}: {entry['non_target']}\n{_describe(entry)}"
    _focus(outcome, entry, "non_target")


@then(parsers.re(rf"the overall response on (?P<day>{DATE}) is (?P<response>{RESPONSE})"))
def overall_response(outcome: Outcome, day: str, response: str) -> None:
    """The RECIST category, in the contract's ``overall`` (non-CR/non-PD included) and ``overall_recist``."""
    entry = _response(outcome, day)
    assert entry["overall"] == response, f"overall response on {day}:\n{_describe(entry)}"
    assert entry["overall_recist"] == response, _describe(entry)
    _focus(outcome, entry, "overall")


@then(parsers.re(rf"the document shows the overall response on (?P<day>{DATE}) as (?P<response>{RESPONSE})"))
def document_overall(outcome: Outcome, day: str, response: str) -> None:
    entry = _response(outcome, day)
    assert entry["overall"] == response, _describe(entry)


@then(parsers.re(rf"the response on (?P<day>{DATE}) (?P<has>has|has no) new lesions"))
def new_lesions(outcome: Outcome, day: str, has: str) -> None:
    entry = _response(outcome, day)
    assert entry["new_lesions"] is (has == "has"), _describe(entry)


@then(parsers.re(rf"the response on (?P<day>{DATE}) is (?P<source>measured|reported by the investigator)"))
def response_source(outcome: Outcome, day: str, source: str) -> None:
    entry = _response(outcome, day)
    assert entry["source"] == ("measured" if source == "measured" else "investigator"), _describe(entry)


@then(parsers.re(rf"there is no response on (?P<day>{DATE})"))
def no_response(outcome: Outcome, day: str) -> None:
    days = [r["date"] for r in _responses(outcome)]
    assert day not in days, f"a response on {day}: {_describe(_response(outcome, day))}"


@then("there are no responses")
def no_responses(outcome: Outcome) -> None:
    assert _responses(outcome) == [], _describe(_responses(outcome))


NUMBERS = {
    "the sum of diameters": "sum_mm", "the baseline sum": "baseline_sum_mm", "the nadir": "nadir_mm",
    "the change from baseline": "change_from_baseline_pct", "the change from the nadir": "change_from_nadir_pct",
    "the increase over the nadir": "change_from_nadir_mm",
}


@then(parsers.re(
    r"(?P<name>the sum of diameters|the baseline sum|the nadir|the change from baseline|the change from the nadir"
    rf"|the increase over the nadir) on (?P<day>{DATE}) is (?P<value>-?\d+(?:\.\d+)?|none) ?(?:mm|%)?"
))
def number_is(outcome: Outcome, name: str, day: str, value: str) -> None:
    entry = _response(outcome, day)
    got = entry.get(NUMBERS[name])
    if value == "none":
        assert got is None, f"{name} on {day} is {got}\n{_describe(entry)}"
    else:
        assert got is not None and abs(got - float(value)) < 0.05, f"{name} on {day} is {got}\n{_describe(entry)}"


@then(parsers.re(
    rf"the best overall response is (?P<response>{RESPONSE}|none) \((?P<which>confirmed|unconfirmed)\)"
))
def best_response(outcome: Outcome, response: str, which: str) -> None:
    best = outcome.patient["best_overall_response"]
    expected = None if response == "none" else response
    assert best is not None and best[which] == expected, f"best overall response:\n{_describe(best)}"


@then(parsers.re(rf"the response of (?P<first>{DATE}) is confirmed on (?P<second>{DATE})"))
def confirmed_on(outcome: Outcome, first: str, second: str) -> None:
    best = outcome.patient["best_overall_response"]
    assert best["confirmed_dates"] == [first, second], _describe(best)


@then(parsers.re(r'the text output shows "(?P<text>[^"]+)"'))
def text_output_shows(outcome: Outcome, text: str) -> None:
    """``prrt-cds evaluate --format text`` of the same evaluation has a line holding ``text``."""
    rendered = to_text(outcome.evaluation)
    assert any(text in line for line in rendered.splitlines()), f"no line shows {text!r}:\n{rendered}"
