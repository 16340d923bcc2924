"""Steps of the kidney dosimetry scenarios (features/dosimetry/*.feature): dosimetry Observations after a
cycle, kidney risk-factor Conditions, and the ``kidney_dosimetry`` part of the JSON document
(docs/outputs.md).

A dose "after cycle N" is an Observation in ``urn:prrt-cds:dosimetry`` dated 4 days after that cycle's
administration, with ``partOf`` naming it (the SPECT/CT is taken days after the infusion).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import factories as fx
from pytest_bdd import given, parsers, then

from steps.chart import PATIENT, Chart, Outcome
from steps.patterns import NUMBER

ORGANS = {"kidney": "kidney-absorbed-dose", "bone marrow": "bone-marrow-absorbed-dose"}
FACTORS = {"hypertension": fx.HYPERTENSION, "diabetes": fx.DIABETES}
AFTER_INFUSION = timedelta(days=4)


def _number(text: str) -> float | int:
    """The value with the digits the scenario wrote ("20" stays an integer in the record)."""
    return int(text) if text.lstrip("-").isdigit() else float(text)


# --- Given ------------------------------------------------------------------------------------------


@given(parsers.re(
    rf"an? (?P<organ>kidney|bone marrow) absorbed dose of (?P<dose>{NUMBER}) (?P<unit>\S+) after cycle (?P<cycle>\d+)"
    rf"(?: with an effective half-life of (?P<t_eff>{NUMBER}) (?P<t_unit>h|d|min))?"
    rf"(?: and (?P<rate>{NUMBER}) Gy/GBq)?"
), converters={"cycle": int})
def absorbed_dose(chart: Chart, organ: str, dose: str, unit: str, cycle: int, t_eff: str | None,
                  t_unit: str | None, rate: str | None) -> None:
    """A dosimetry Observation of that organ for that cycle (UCUM unit as written: Gy, mGy, cGy, or any
    other spelling, which the mapping refuses)."""
    assert cycle in chart.cycles, f"the scenario gives no PRRT cycle {cycle} before its dosimetry"
    oid = chart.next_id("dosimetry")

    def build(effective: str) -> dict[str, Any]:
        return fx.dosimetry(oid, _number(dose), unit, organ=ORGANS[organ],
                            half_life=None if t_eff is None else _number(t_eff), half_life_unit=t_unit or "h",
                            per_activity=None if rate is None else _number(rate),
                            part_of=f"Procedure/prrt-cycle-{cycle}", when=effective, patient=PATIENT)

    chart.add(build, chart.cycles[cycle] + AFTER_INFUSION)


@given(parsers.re(r"the patient has (?P<factor>hypertension|diabetes)(?P<resolved>, resolved)?"))
def risk_factor(chart: Chart, factor: str, resolved: str | None) -> None:
    """A Condition of hypertension (SNOMED 38341003) or diabetes (73211009), active or resolved."""
    cid = chart.next_id("condition")
    status = "resolved" if resolved else "active"
    chart.add(lambda _effective: fx.condition(cid, FACTORS[factor], clinical_status=status, patient=PATIENT), None)


# --- Then -------------------------------------------------------------------------------------------


def _dosimetry(outcome: Outcome) -> dict[str, Any]:
    found = outcome.patient["kidney_dosimetry"]
    assert found is not None, "the document has no kidney_dosimetry"
    result: dict[str, Any] = found
    return result


def _describe(value: Any) -> str:
    return json.dumps(value, indent=1, default=str)


def _near(found: float | None, expected: str, what: str, whole: Any) -> None:
    """The value to the digits the scenario states (the document rounds doses to 0.01 Gy)."""
    decimals = len(expected.partition(".")[2])
    assert found is not None, f"{what}: cannot be evaluated, expected {expected}:\n{_describe(whole)}"
    assert round(found, decimals) == float(expected), f"{what}: {found}, expected {expected}:\n{_describe(whole)}"


@then(parsers.re(rf"the kidney BED of cycle (?P<cycle>\d+) is (?P<bed>{NUMBER}) Gy"), converters={"cycle": int})
def cycle_bed(outcome: Outcome, cycle: int, bed: str) -> None:
    doc = _dosimetry(outcome)
    entry = next(c for c in doc["cycles"] if c["cycle"] == cycle)
    _near(entry["bed_gy"], bed, f"BED of cycle {cycle}", doc)


@then(parsers.re(
    rf"the (?P<projected>projected )?cumulative kidney (?P<what>BED|absorbed dose) is (?P<gy>{NUMBER}) Gy"))
def cumulative(outcome: Outcome, projected: str | None, what: str, gy: str) -> None:
    doc = _dosimetry(outcome)
    if projected:
        key = "projected_cumulative_bed_gy" if what == "BED" else "projected_absorbed_gy"
        _near(doc["next"][key], gy, f"projected cumulative {what}", doc)
    else:
        key = "cumulative_bed_gy" if what == "BED" else "cumulative_absorbed_gy"
        _near(doc[key], gy, f"cumulative {what}", doc)


@then(parsers.re(r'the cumulative kidney (?P<what>BED|absorbed dose) cannot be evaluated because "(?P<text>[^"]+)"'))
def cumulative_not_evaluable(outcome: Outcome, what: str, text: str) -> None:
    doc = _dosimetry(outcome)
    key = "cumulative_bed_gy" if what == "BED" else "cumulative_absorbed_gy"
    assert doc[key] is None, f"cumulative {what} is {doc[key]}, expected cannot evaluate:\n{_describe(doc)}"
    reasons = [*doc["cumulative_reasons"], *(c.get("reason") or "" for c in doc["cycles"])]
    assert any(text in reason for reason in reasons), f"no reason mentions {text!r}:\n{_describe(doc)}"


@then(parsers.re(rf"the kidney (?P<what>BED|absorbed dose) limit in force is (?P<gy>{NUMBER}) Gy"))
def limit_in_force(outcome: Outcome, what: str, gy: str) -> None:
    doc = _dosimetry(outcome)
    key = "bed_gy" if what == "BED" else "absorbed_gy"
    found = doc["limits"].get(key)
    assert found == float(gy), f"{key} limit {found}, expected {gy}:\n{_describe(doc)}"


@then("no kidney dose limit is exceeded")
def no_limit_exceeded(outcome: Outcome) -> None:
    doc = _dosimetry(outcome)
    delivered = [f for f in doc["findings"] if f["scope"] == "delivered"]
    assert not delivered, f"limits exceeded:\n{_describe(delivered)}"


@then(parsers.re(r'the kidney dose limit "(?P<rule>[^"]+)" is exceeded by the dose (?P<scope>delivered|projected)'))
def limit_exceeded(outcome: Outcome, rule: str, scope: str) -> None:
    doc = _dosimetry(outcome)
    found = [f for f in doc["findings"] if f["rule"] == rule and f["scope"] == scope]
    assert found, f"{rule} is not exceeded by the dose {scope}:\n{_describe(doc['findings'])}"
    assert found[0]["source"] and found[0]["status"], f"{rule} has no source or status"


@then(parsers.re(r'the kidney dose limit "(?P<rule>[^"]+)" is not exceeded by the dose delivered'))
def limit_not_exceeded(outcome: Outcome, rule: str) -> None:
    doc = _dosimetry(outcome)
    found = [f for f in doc["findings"] if f["rule"] == rule and f["scope"] == "delivered"]
    assert not found, f"{rule} is exceeded:\n{_describe(found)}"


@then(parsers.re(rf'the largest next activity is (?P<gbq>{NUMBER}) GBq(?:, set by "(?P<limit>[^"]+)")?'))
def largest_next_activity(outcome: Outcome, gbq: str, limit: str | None) -> None:
    """The largest activity within every limit in force; "set by": the binding limit (none: the planned
    activity fits)."""
    doc = _dosimetry(outcome)
    nxt = doc["next"]
    assert nxt["max_activity_gbq"] == float(gbq), f"largest next activity {nxt['max_activity_gbq']}:\n{_describe(nxt)}"
    assert nxt["binding_limit"] == limit, f"binding limit {nxt['binding_limit']}, expected {limit}:\n{_describe(nxt)}"


@then(parsers.re(r'no largest next activity is given because "(?P<text>[^"]+)"'))
def no_largest_activity(outcome: Outcome, text: str) -> None:
    nxt = _dosimetry(outcome)["next"]
    assert nxt["max_activity_gbq"] is None, f"a largest activity is given:\n{_describe(nxt)}"
    assert text in (nxt["reason"] or ""), f"the reason does not mention {text!r}:\n{_describe(nxt)}"


@then(parsers.re(rf"the cumulative bone marrow absorbed dose is (?P<gy>{NUMBER}) Gy, shown as information only"))
def bone_marrow_information(outcome: Outcome, gy: str) -> None:
    doc = _dosimetry(outcome)
    marrow = doc["bone_marrow"]
    assert marrow is not None, f"no bone marrow dose:\n{_describe(doc)}"
    _near(marrow["cumulative_absorbed_gy"], gy, "bone marrow absorbed dose", marrow)
    assert marrow["limit_gy"] is None and marrow["reference"]["use"] == "information", _describe(marrow)
    assert all(f["limit"] != "bone_marrow_absorbed_gy" for f in doc["findings"]), _describe(doc["findings"])


@then("there is no kidney dosimetry")
def no_dosimetry(outcome: Outcome) -> None:
    assert outcome.patient["kidney_dosimetry"] is None, _describe(outcome.patient["kidney_dosimetry"])
