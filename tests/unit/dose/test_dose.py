"""Lutathera dose recommendations through the real path (FHIR -> grades -> dose rules on durable_rules)."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx
import pytest

from cds.dose.conclusions import DoseAlert
from cds.dose.renal import cockcroft_gault
from cds.evaluation import evaluate_collected
from cds.facts import age_years
from cds.reading import from_objects

CYCLES = ["2024-01-08", "2024-03-04", "2024-04-29", "2024-06-24"]
NORMAL: dict[str, tuple[float, str, float, float]] = {
    "hemoglobin": (13.0, "g/dL", 12.0, 16.0),
    "wbc": (6.0, "10*3/uL", 4.0, 10.0),
    "neutrophils": (4.0, "10*3/uL", 2.0, 7.0),
    "platelets": (250.0, "10*3/uL", 150.0, 400.0),
    "creatinine": (0.8, "mg/dL", 0.5, 1.1),
    "alt": (20.0, "U/L", 7.0, 41.0),
    "ast": (20.0, "U/L", 12.0, 38.0),
    "albumin": (4.2, "g/dL", 3.5, 5.0),
    "bilirubin": (0.6, "mg/dL", 0.3, 1.2),
    "inr": (1.0, "{INR}", 0.9, 1.1),
}


class Record:
    """One patient's FHIR record, built step by step."""

    def __init__(self, cycles: list[str] | None = None, weight: float = 70.0,
                 activities: dict[int, float] | None = None) -> None:
        self.resources: list[dict[str, Any]] = [
            fx.patient(gender="female", birth_date="1962-05-14"),
            fx.body_weight("w1", weight, when="2024-01-02"),
        ]
        for number, day in enumerate(cycles if cycles is not None else CYCLES, start=1):
            self.resources.append(fx.procedure(f"c{number}", day, activity=(activities or {}).get(number, 7.4)))
        self.count = 0

    def lab(self, day: str, analyte: str, value: float | None = None) -> str:
        normal, unit, low, high = NORMAL[analyte]
        self.count += 1
        oid = f"{analyte}-{self.count}"
        self.resources.append(fx.lab(oid, analyte, normal if value is None else value, unit, low=low, high=high,
                                     when=f"{day}T08:00:00Z"))
        return f"Observation/{oid}"

    def panel(self, day: str, **values: float) -> None:
        for analyte in NORMAL:
            self.lab(day, analyte, values.get(analyte))

    def alerts(self, as_of: str | None = None) -> dict[int, DoseAlert]:
        evaluation = evaluate_collected(from_objects(self.resources), date.fromisoformat(as_of) if as_of else None)
        (patient,) = evaluation.patients
        return {alert.cycle: alert for alert in patient.alerts}


def rules(alert: DoseAlert) -> list[str]:
    return [reason.rule for reason in alert.reasons]


def standard_course(activities: dict[int, float] | None = None) -> Record:
    record = Record(activities=activities)
    for day in ("2024-01-02", "2024-02-26", "2024-04-22", "2024-06-17"):
        record.panel(day)
    return record


def test_a_course_without_toxicity_proceeds_at_full_activity_every_cycle() -> None:
    alerts = standard_course().alerts()
    assert [(a.cycle, a.action, a.recommended_activity_gbq, a.indicator) for a in alerts.values()] == [
        (n, "proceed", 7.4, "info") for n in (1, 2, 3, 4)
    ]
    assert 5 not in alerts  # four cycles planned (label: a total of 4 doses)


def test_grade_2_thrombocytopenia_after_cycle_2_reduces_cycle_3_and_cycle_4_returns_to_full_activity() -> None:
    record = standard_course({3: 3.7})
    platelets = record.lab("2024-04-01", "platelets", 70)  # grade 2 (<75 - 50), recovered by 2024-04-22
    alerts = record.alerts()
    assert [(a.cycle, a.action, a.recommended_activity_gbq) for a in alerts.values()] == [
        (1, "proceed", 7.4), (2, "proceed", 7.4), (3, "reduce", 3.7), (4, "proceed", 7.4),
    ]
    assert alerts[3].indicator == "warning"
    assert rules(alerts[3]) == ["lutathera.thrombocytopenia.reduce", "lutathera.thrombocytopenia.trigger"]
    trigger = alerts[3].reasons[1]
    assert (trigger.term, trigger.grade, trigger.observations) == ("Platelet count decreased", 2, (platelets,))
    assert rules(alerts[4]) == ["lutathera.thrombocytopenia.escalate"]
    assert alerts[4].reasons[0].detail == "cycle 3 was given at 3.7 GBq on 2024-04-29; no recurrence since"
    assert [alert.deviation for alert in alerts.values()] == [None] * 4


def test_full_activity_given_where_the_reduction_was_recommended_is_a_deviation_and_no_return_to_full() -> None:
    """Cycle 3 given at 7.4 GBq where 3.7 GBq was recommended: the alert says so, and cycle 4 does not
    claim "return to 7.4 GBq after a reduced cycle", because no reduced cycle was ever given."""
    record = standard_course()
    record.lab("2024-04-01", "platelets", 70)
    alerts = record.alerts()
    assert (alerts[3].action, alerts[3].given_activity_gbq) == ("reduce", 7.4)
    deviation = alerts[3].deviation
    assert deviation is not None
    assert (deviation.kind, deviation.text) == ("activity", "7.4 GBq given where 3.7 GBq was recommended")
    assert (alerts[4].action, rules(alerts[4])) == ("proceed", ["lutathera.proceed"])
    assert all("reduced" not in reason.text for reason in alerts[4].reasons)


def test_a_toxicity_after_a_full_cycle_given_instead_of_the_reduced_one_is_withheld_not_a_recurrence() -> None:
    """The label discontinues for a recurrence "after the dose reduction"; no reduction was given, so the
    course continues from what was given: withhold (then resume at 3.7 GBq)."""
    record = standard_course()
    record.lab("2024-04-01", "platelets", 70)
    record.lab("2024-06-18", "platelets", 60)  # grade 2 after the full-activity cycle 3
    alerts = record.alerts()
    assert alerts[4].action == "withhold"
    assert "lutathera.thrombocytopenia.discontinue_recurrence" not in rules(alerts[4])


def test_recurrence_after_the_reduced_cycle_discontinues() -> None:
    record = standard_course({3: 3.7})
    record.lab("2024-04-01", "platelets", 70)
    record.lab("2024-05-27", "platelets", 60)  # grade 2 again after the reduced cycle 3
    alerts = record.alerts()
    assert alerts[4].action == "discontinue"
    assert alerts[4].indicator == "critical"
    assert rules(alerts[4])[0] == "lutathera.thrombocytopenia.discontinue_recurrence"


def test_platelets_exactly_75_is_grade_1_and_does_not_modify_the_dose() -> None:
    record = standard_course()
    record.lab("2024-04-01", "platelets", 75)
    assert record.alerts()[3].action == "proceed"


def next_cycle(record: Record, as_of: str) -> DoseAlert:
    alerts = record.alerts(as_of)
    return alerts[max(alerts)]


def two_cycles() -> Record:
    record = Record(CYCLES[:2])
    record.panel("2024-01-02")
    record.panel("2024-02-26")
    return record


@pytest.mark.parametrize(
    ("analyte", "value", "action"),
    [
        ("platelets", 74.9, "withhold"), ("platelets", 75, "proceed"),
        ("hemoglobin", 7.9, "withhold"), ("hemoglobin", 8.0, "proceed"),  # anemia grade 3 vs 2
        ("neutrophils", 0.99, "withhold"), ("neutrophils", 1.0, "proceed"),  # neutropenia grade 3 vs 2
        ("wbc", 1.99, "withhold"), ("wbc", 2.0, "proceed"),  # other haematologic grade 3 vs 2
        ("alt", 205.5, "withhold"), ("alt", 205.0, "proceed"),  # ALT > 5 x ULN (41): grade 3 vs 2
        ("bilirubin", 3.61, "withhold"), ("bilirubin", 3.6, "proceed"),  # > 3 x ULN (1.2 mg/dL)
    ],
)
def test_toxicity_on_the_latest_labs_withholds_the_next_cycle(analyte: str, value: float, action: str) -> None:
    record = two_cycles()
    record.panel("2024-04-22", **{analyte: value})
    alert = next_cycle(record, "2024-04-29")
    assert (alert.cycle, alert.action) == (3, action)
    assert alert.recommended_activity_gbq == (7.4 if action == "proceed" else None)


def test_lymphopenia_alone_never_changes_the_dose() -> None:
    record = two_cycles()
    record.panel("2024-04-22")
    record.resources.append(fx.lab("lym", "lymphocytes", 0.3, "10*3/uL", low=1.0, high=4.0,
                                   when="2024-04-22T08:00:00Z"))  # grade 3 lymphocyte count decreased
    assert next_cycle(record, "2024-04-29").action == "proceed"


@pytest.mark.parametrize(("delay_as_of", "action"), [("2024-08-18", "withhold"), ("2024-08-19", "discontinue")])
def test_a_toxicity_still_present_16_weeks_after_the_due_date_discontinues(delay_as_of: str, action: str) -> None:
    record = two_cycles()
    record.panel("2024-04-22", platelets=60)
    record.panel(delay_as_of, platelets=60)  # still grade 2; due 2024-04-29, +112 days = 2024-08-19
    alert = next_cycle(record, delay_as_of)
    assert alert.action == action
    assert (date.fromisoformat(delay_as_of) - alert.due).days == (111 if action == "withhold" else 112)


@pytest.mark.parametrize(("day", "action"), [("2024-04-14", "labs-needed"), ("2024-04-15", "proceed")])
def test_labs_older_than_14_days_before_the_due_date_ask_for_labs_never_proceed(day: str, action: str) -> None:
    record = two_cycles()
    record.panel(day)
    alert = next_cycle(record, "2024-04-29")
    assert alert.action == action
    if action == "labs-needed":
        assert alert.recommended_activity_gbq is None
        assert "lutathera.labs.platelets" in rules(alert)


def test_a_missing_required_lab_asks_for_labs() -> None:
    record = two_cycles()
    for analyte in NORMAL:
        if analyte != "albumin":
            record.lab("2024-04-22", analyte)
    alert = next_cycle(record, "2024-04-29")
    assert alert.action == "labs-needed"
    assert rules(alert) == ["lutathera.labs.albumin"]


def test_cockcroft_gault_worked_example() -> None:
    # Woman, 62 years, 70 kg, creatinine 1.0 mg/dL (88.42 umol/L): (140 - 62) x 70 / (72 x 1.0) x 0.85
    assert cockcroft_gault(62, 70.0, 88.42, "female") == pytest.approx(64.458, abs=1e-3)
    assert cockcroft_gault(62, 70.0, 88.42, "male") == pytest.approx(75.833, abs=1e-3)
    assert cockcroft_gault(62, 70.0, 88.42, None) == pytest.approx(64.458, abs=1e-3)  # unknown sex: lower
    assert age_years(date(1962, 5, 14), date(2024, 5, 13)) == 61
    assert age_years(date(1962, 5, 14), date(2024, 5, 14)) == 62


@pytest.mark.parametrize(("creatinine", "action"), [(1.7, "withhold"), (1.6, "proceed")])
def test_creatinine_clearance_below_40_withholds(creatinine: float, action: str) -> None:
    # Baseline 1.3 mg/dL so that neither the 40% rise nor the 40% fall applies: only CrCl < 40 mL/min.
    # 2024-04-22, age 61, 70 kg, woman: 1.7 mg/dL -> 79 x 70 / (72 x 1.7) x 0.85 = 38.4; 1.6 -> 40.8.
    record = Record(CYCLES[:2])
    record.panel("2024-01-02", creatinine=1.3)
    record.panel("2024-02-26", creatinine=1.3)
    record.panel("2024-04-22", creatinine=creatinine)
    alert = next_cycle(record, "2024-04-29")
    assert alert.action == action
    if action == "withhold":
        assert rules(alert) == ["lutathera.renal.withhold", "lutathera.renal.crcl"]
        assert alert.reasons[1].unit == "mL/min (Cockcroft-Gault)"
        assert alert.reasons[1].value == pytest.approx(38.4, abs=0.1)


@pytest.mark.parametrize(("creatinine", "action"), [(1.12, "withhold"), (1.11, "proceed")])
def test_creatinine_40_percent_above_baseline_withholds(creatinine: float, action: str) -> None:
    record = two_cycles()  # baseline creatinine 0.8 mg/dL: 1.12 is exactly +40%
    record.panel("2024-04-22", creatinine=creatinine)
    alert = next_cycle(record, "2024-04-29")
    assert alert.action == action
    if action == "withhold":
        assert "lutathera.renal.creatinine_rise" in rules(alert)


@pytest.mark.parametrize(("inr", "action"), [(1.6, "withhold"), (1.5, "proceed")])
def test_low_albumin_with_a_raised_inr_withholds(inr: float, action: str) -> None:
    record = two_cycles()
    record.panel("2024-04-22", albumin=2.9, inr=inr)
    alert = next_cycle(record, "2024-04-29")
    assert alert.action == action


def test_low_albumin_without_an_inr_asks_for_one() -> None:
    record = two_cycles()
    for analyte in NORMAL:
        if analyte != "inr":
            record.lab("2024-04-22", analyte, 2.9 if analyte == "albumin" else None)
    alert = next_cycle(record, "2024-04-29")
    assert alert.action == "labs-needed"
    assert rules(alert) == ["lutathera.labs.inr"]


@pytest.mark.parametrize(
    ("analyte", "value", "rule"),
    [("hemoglobin", 7.9, "lutathera.eligibility.hemoglobin"), ("wbc", 1.9, "lutathera.eligibility.wbc"),
     ("platelets", 74, "lutathera.eligibility.platelets"), ("bilirubin", 3.61, "lutathera.eligibility.bilirubin")],
)
def test_eligibility_before_cycle_1(analyte: str, value: float, rule: str) -> None:
    record = Record([])
    record.panel("2024-01-02", **{analyte: value})
    alert = next_cycle(record, "2024-01-08")
    assert (alert.cycle, alert.action, rules(alert)) == (1, "withhold", [rule])
    record = Record([])
    record.panel("2024-01-02")
    assert next_cycle(record, "2024-01-08").action == "proceed"


@pytest.mark.parametrize(("weight", "action"), [(45.0, "withhold"), (60.0, "proceed")])
def test_creatinine_clearance_40_percent_below_baseline_withholds(weight: float, action: str) -> None:
    # Baseline CrCl: 0.8 mg/dL, 70 kg, age 61 -> 79 x 70 / 57.6 x 0.85 = 81.6 mL/min. Later 1.04 mg/dL (+30%,
    # under the 40% rise) with 45 kg -> 40.4 mL/min (ratio 0.49, at least 40% below); with 60 kg -> 53.8 (0.66).
    record = two_cycles()
    record.panel("2024-04-22", creatinine=1.04)
    record.resources.append(fx.body_weight("w2", weight, when="2024-04-20"))
    alert = next_cycle(record, "2024-04-29")
    assert alert.action == action
    if action == "withhold":
        assert rules(alert) == ["lutathera.renal.withhold", "lutathera.renal.crcl_fall"]


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"creatinine": 1.75}, "lutathera.eligibility.creatinine"),  # 154.7 umol/L > 150 (and CrCl 36.3 < 50)
        ({"albumin": 2.9, "inr": 1.2}, "lutathera.eligibility.albumin"),  # INR above its ULN 1.1
    ],
)
def test_eligibility_renal_and_hepatic(overrides: dict[str, float], rule: str) -> None:
    record = Record([])
    record.panel("2024-01-02", **overrides)
    alert = next_cycle(record, "2024-01-08")
    assert alert.action == "withhold"
    assert rule in rules(alert)


@pytest.mark.parametrize(("creatinine", "action"), [(1.35, "withhold"), (1.3, "proceed")])
def test_eligibility_creatinine_clearance_below_50(creatinine: float, action: str) -> None:
    # 2024-01-02, age 61, 70 kg, woman: 1.35 mg/dL -> 79 x 70 / (72 x 1.35) x 0.85 = 48.4 mL/min (< 50);
    # 1.3 mg/dL -> 50.2 mL/min.
    record = Record([])
    record.panel("2024-01-02", creatinine=creatinine)
    alert = next_cycle(record, "2024-01-08")
    assert alert.action == action
