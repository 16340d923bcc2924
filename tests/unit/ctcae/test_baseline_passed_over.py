"""The baseline of an analyte is its last usable result before the first cycle. When a later result before
the first cycle cannot be graded (no unit, not final, implausible), the grades that read the baseline and
the dose measures against it say which result was passed over. It was: the older result became the
baseline in silence, so an "x baseline" grade or a creatinine rise read against a result weeks older than
the one the record showed last before treatment, with nothing to say so."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx

from cds.evaluation import evaluate_collected
from cds.reading import from_objects

NOTE = ("baseline Observation/alt1 (2024-01-02): the later result before the first cycle, Observation/alt2, "
        "cannot be graded")


def _grades(*labs: dict[str, Any]) -> list[Any]:
    collected = from_objects([fx.patient("p1"), fx.procedure("c1", "2024-01-08", patient="Patient/p1"), *labs])
    [patient] = evaluate_collected(collected, as_of=date(2024, 2, 10)).patients
    return list(patient.toxicities)


def _alt(oid: str, value: float, when: str, **lab: Any) -> dict[str, Any]:
    return fx.lab(oid, "alt", value, lab.pop("unit", "U/L"), low=0, high=40, when=when, **lab)


def test_a_grade_read_against_an_older_baseline_names_the_result_passed_over() -> None:
    grades = _grades(_alt("alt1", 100, "2024-01-02T08:00:00Z"), _alt("alt2", 300, "2024-01-07T08:00:00Z", unit=None),
                     _alt("alt3", 200, "2024-02-05T08:00:00Z"))
    [grade] = [g for g in grades if g.observation == "Observation/alt3"]
    assert grade.baseline == 100
    assert NOTE in grade.notes


def test_no_note_when_the_baseline_is_the_last_result_before_the_first_cycle() -> None:
    grades = _grades(_alt("alt2", 300, "2024-01-01T08:00:00Z", unit=None), _alt("alt1", 100, "2024-01-02T08:00:00Z"),
                     _alt("alt3", 200, "2024-02-05T08:00:00Z"))
    [grade] = [g for g in grades if g.observation == "Observation/alt3"]
    assert grade.baseline == 100 and not any("cannot be graded" in n for n in grade.notes)


def test_no_note_on_a_term_that_does_not_read_the_baseline() -> None:
    grades = _grades(fx.lab("p1", "platelets", 250, "10*9/L", when="2024-01-02T08:00:00Z"),
                     fx.lab("p2", "platelets", 250, None, when="2024-01-07T08:00:00Z"),
                     fx.lab("p3", "platelets", 60, "10*9/L", when="2024-02-05T08:00:00Z"))
    [grade] = [g for g in grades if g.observation == "Observation/p3"]
    assert grade.grade == 2 and not any("cannot be graded" in n for n in grade.notes)


def test_a_creatinine_rise_against_an_older_baseline_names_the_result_passed_over() -> None:
    collected = from_objects([
        fx.patient("p1"), fx.procedure("c1", "2024-01-08", patient="Patient/p1"),
        fx.lab("cr1", "creatinine", 70, "umol/L", low=45, high=90, when="2024-01-02T08:00:00Z"),
        fx.lab("cr2", "creatinine", 85, None, when="2024-01-07T08:00:00Z"),
        fx.lab("cr3", "creatinine", 110, "umol/L", low=45, high=90, when="2024-02-26T08:00:00Z"),
    ])
    [patient] = evaluate_collected(collected, as_of=date(2024, 3, 4)).patients
    details = [r.detail or "" for alert in patient.alerts for r in alert.reasons
               if "Observation/cr3" in r.observations and "x baseline" in (r.unit or "")]
    assert details, [r for alert in patient.alerts for r in alert.reasons]
    assert all("baseline Observation/cr1 (2024-01-02): the later result before the first cycle, Observation/cr2, "
               "cannot be graded" in detail for detail in details)
