"""Steps of the Lutathera dose scenarios (features/dose_*.feature): normal pre-cycle labs, labs not
measured, and the per-cycle recommendations of the JSON document's ``alerts`` (docs/outputs.md).

"the recommendation for cycle N" is the alert of cycle N: a cycle given (checked after the fact, on
its administration day) or the next cycle due (decided on its due date, or on the evaluation day
when that is later).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pytest_bdd import given, parsers, then

from steps.chart import Chart, LabEntry, Outcome
from steps.patterns import ACTIONS, DATE, DEVIATIONS, NUMBER
from steps.vocabulary import ANALYTE_NAMES, ANALYTES

NO_ACTIVITY = ("withhold", "discontinue", "labs-needed")

# The laboratory results the Lutathera table requires before every cycle (settings.required_analytes:
# hemoglobin, WBC, platelets, creatinine, ALT, AST, albumin, bilirubin), each inside its range:
# (name, value, unit, lower limit, upper limit).
NORMAL_PANEL: tuple[tuple[str, float, str, float, float], ...] = (
    ("hemoglobin", 13.0, "g/dL", 12.0, 16.0),
    ("white blood cell count", 6.0, "x10^9/L", 4.0, 10.0),
    ("platelet count", 250, "x10^9/L", 150.0, 400.0),
    ("creatinine", 0.8, "mg/dL", 0.5, 1.1),
    ("ALT", 20.0, "U/L", 7.0, 40.0),
    ("AST", 20.0, "U/L", 10.0, 35.0),
    ("serum albumin", 42.0, "g/L", 35.0, 50.0),
    ("total bilirubin", 0.6, "mg/dL", 0.3, 1.2),
)

# What a "labs-needed" reason asks for: lutathera.labs.<key> (cds/dose/prepare.py).
ASKED = {"creatinine clearance": "crcl", **{name: analyte.key for name, analyte in ANALYTES.items()}}


# --- Given ------------------------------------------------------------------------------------------


@given(parsers.re(rf"the (?:other )?pre-cycle labs of (?P<day>{DATE}) are normal"))
def normal_pre_cycle_labs(chart: Chart, day: str) -> None:
    """The required pre-cycle labs of that day, each normal, except the analytes the scenario states
    for that day itself (or says were not measured), whatever the order of the steps."""
    for name, value, unit, low, high in NORMAL_PANEL:
        chart.labs.append(LabEntry(
            oid=chart.next_id("lab"), name=name, value=value, unit=unit, low=low, high=high,
            day=date.fromisoformat(day), filler=True,
        ))


@given(parsers.re(rf"no (?P<name>{ANALYTE_NAMES}) was measured on (?P<day>{DATE})"))
def not_measured(chart: Chart, name: str, day: str) -> None:
    """Leaves that analyte out of the normal pre-cycle labs of that day."""
    chart.not_measured.add((ANALYTES[name].key, date.fromisoformat(day)))


# --- Then -------------------------------------------------------------------------------------------


def _describe(alert: dict[str, Any]) -> str:
    return json.dumps(alert, indent=1, default=str)


def _alert(outcome: Outcome, cycle: int) -> dict[str, Any]:
    alerts = {alert["cycle"]: alert for alert in outcome.patient["alerts"]}
    assert cycle in alerts, f"no recommendation for cycle {cycle}; there are recommendations for {sorted(alerts)}"
    alert: dict[str, Any] = alerts[cycle]
    return alert


def _rules(alert: dict[str, Any]) -> list[str]:
    return [reason["rule"] for reason in alert["reasons"]]


@then(
    parsers.re(rf'the recommendation for cycle (?P<cycle>\d+) is "(?P<action>{ACTIONS})"'
               rf"(?: at (?P<activity>{NUMBER}) GBq)?"),
    converters={"cycle": int},
)
def recommendation_is(outcome: Outcome, cycle: int, action: str, activity: str | None) -> None:
    """The action; "at <n> GBq": the recommended activity. Withhold, discontinue and labs-needed
    recommend no activity."""
    alert = _alert(outcome, cycle)
    assert alert["action"] == action, f"cycle {cycle}: expected {action}, got {alert['action']}:\n{_describe(alert)}"
    recommended = alert["recommended_activity_gbq"]
    if activity is not None:
        assert recommended == float(activity), (
            f"cycle {cycle}: expected {activity} GBq, got {recommended}:\n{_describe(alert)}"
        )
    if action in NO_ACTIVITY:
        assert recommended is None, f"cycle {cycle}: {action} with an activity of {recommended} GBq"


@then(parsers.re(r'the indicator for cycle (?P<cycle>\d+) is "(?P<indicator>info|warning|critical)"'),
      converters={"cycle": int})
def indicator_is(outcome: Outcome, cycle: int, indicator: str) -> None:
    alert = _alert(outcome, cycle)
    assert alert["indicator"] == indicator, (
        f"cycle {cycle}: expected indicator {indicator}, got {alert['indicator']}:\n{_describe(alert)}"
    )


def _decimals(number: str) -> int:
    return len(number.partition(".")[2])


@then(
    parsers.re(rf'the recommendation for cycle (?P<cycle>\d+) cites "(?P<rule>[^"]+)"'
               rf"(?: with a value of (?P<value>{NUMBER}))?"),
    converters={"cycle": int},
)
def recommendation_cites(outcome: Outcome, cycle: int, rule: str, value: str | None) -> None:
    """One of the reasons is that rule; "with a value of": the value it found, to the digits stated."""
    alert = _alert(outcome, cycle)
    reasons = [reason for reason in alert["reasons"] if reason["rule"] == rule]
    assert reasons, f"cycle {cycle} does not cite {rule}; it cites {_rules(alert)}:\n{_describe(alert)}"
    if value is not None:
        tolerance = 0.5 * 10 ** -_decimals(value)
        found = [reason.get("value") for reason in reasons]
        assert any(v is not None and abs(v - float(value)) <= tolerance + 1e-12 for v in found), (
            f"cycle {cycle}: {rule} found {found}, not {value}:\n{_describe(alert)}"
        )


@then(
    parsers.re(rf"the recommendation for cycle (?P<cycle>\d+) asks for the "
               rf"(?P<what>creatinine clearance|{ANALYTE_NAMES})"),
    converters={"cycle": int},
)
def recommendation_asks_for(outcome: Outcome, cycle: int, what: str) -> None:
    """A "labs needed" reason names that result (missing, older than the table allows, or an INR
    that low albumin calls for)."""
    alert = _alert(outcome, cycle)
    rule = f"lutathera.labs.{ASKED[what]}"
    assert rule in _rules(alert), f"cycle {cycle} does not ask for the {what} ({rule}):\n{_describe(alert)}"


@then(parsers.re(r"there is no recommendation for cycle (?P<cycle>\d+)"), converters={"cycle": int})
def no_recommendation(outcome: Outcome, cycle: int) -> None:
    cycles = [alert["cycle"] for alert in outcome.patient["alerts"]]
    assert cycle not in cycles, f"there is a recommendation for cycle {cycle}: {cycles}"


@then(parsers.re(r'the recommendation for cycle (?P<cycle>\d+) does not cite "(?P<rule>[^"]+)"'),
      converters={"cycle": int})
def recommendation_does_not_cite(outcome: Outcome, cycle: int, rule: str) -> None:
    alert = _alert(outcome, cycle)
    assert rule not in _rules(alert), f"cycle {cycle} cites {rule}:\n{_describe(alert)}"


@then(parsers.re(r'the reason "(?P<rule>[^"]+)" of cycle (?P<cycle>\d+) cites the source "(?P<text>[^"]+)"'),
      converters={"cycle": int})
def reason_cites_source(outcome: Outcome, cycle: int, rule: str, text: str) -> None:
    """The reason of that rule names its source (document, section) containing the text."""
    alert = _alert(outcome, cycle)
    sources = [reason.get("source") or "" for reason in alert["reasons"] if reason["rule"] == rule]
    assert any(text in source for source in sources), f"cycle {cycle}: {rule} cites {sources}:\n{_describe(alert)}"

# --- deviations of a cycle given (docs/outputs.md: given_activity_gbq, deviation) ----------------



@then(
    parsers.re(rf'the deviation of cycle (?P<cycle>\d+) is "(?P<kind>{DEVIATIONS})"(?: by rule "(?P<rule>[^"]+)")?'),
    converters={"cycle": int},
)
def deviation_is(outcome: Outcome, cycle: int, kind: str, rule: str | None) -> None:
    """The alert of a cycle given names this deviation as its most severe one (and the rule that found it)."""
    alert = _alert(outcome, cycle)
    assert alert["given"], f"cycle {cycle} was not given:\n{_describe(alert)}"
    deviation = alert["deviation"]
    assert deviation is not None and deviation["kind"] == kind, (
        f"cycle {cycle}: expected the deviation {kind}:\n{_describe(alert)}")
    if rule is not None:
        assert deviation["rule"] == rule, f"cycle {cycle}: deviation found by {deviation['rule']}, not {rule}"


@then(parsers.re(r'the deviation of cycle (?P<cycle>\d+) says "(?P<text>[^"]+)"'), converters={"cycle": int})
def deviation_says(outcome: Outcome, cycle: int, text: str) -> None:
    deviation = _alert(outcome, cycle)["deviation"]
    assert deviation is not None and text in deviation["text"], f"cycle {cycle}: {deviation}"


@then(parsers.re(r'cycle (?P<cycle>\d+) also deviates as "(?P<kind>[^"]+)"'), converters={"cycle": int})
def deviation_also(outcome: Outcome, cycle: int, kind: str) -> None:
    """Among every deviation of the cycle (``deviations``), not only the most severe."""
    kinds = [d["kind"] for d in _alert(outcome, cycle)["deviations"]]
    assert kind in kinds, f"cycle {cycle}: deviations {kinds}"


@then(parsers.re(r"cycle (?P<cycle>\d+) has no deviation"), converters={"cycle": int})
def no_deviation(outcome: Outcome, cycle: int) -> None:
    """A cycle given as recommended: ``deviation`` is present and null."""
    alert = _alert(outcome, cycle)
    assert alert["given"] and "deviation" in alert, f"cycle {cycle}:\n{_describe(alert)}"
    assert alert["deviation"] is None and alert["deviations"] == [], f"cycle {cycle}:\n{_describe(alert)}"


@then(parsers.re(r'no reason for cycle (?P<cycle>\d+) says "(?P<text>[^"]+)"'), converters={"cycle": int})
def no_reason_says(outcome: Outcome, cycle: int, text: str) -> None:
    alert = _alert(outcome, cycle)
    said = [reason["text"] for reason in alert["reasons"] if text in reason["text"]]
    assert not said, f"cycle {cycle} says {said}:\n{_describe(alert)}"


@then(parsers.re(r"the labs of cycle (?P<cycle>\d+) are dated (?P<day>\S+), (?P<age>\d+) days old"),
      converters={"cycle": int, "age": int})
def labs_dated(outcome: Outcome, cycle: int, day: str, age: int) -> None:
    """The alert states the date and age of the results it used (the oldest required one)."""
    labs = _alert(outcome, cycle)["labs"]
    assert labs is not None and (labs["oldest"], labs["age_days"]) == (day, age), labs
