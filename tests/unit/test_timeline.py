"""The per-patient timeline: cycle numbering, cycle windows and lab baselines."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import factories as fx
import pytest

from cds.timeline import Timeline, build_timeline


@pytest.fixture
def timeline(map_fhir: Any) -> Any:
    def run(*resources: dict[str, Any], patient: str = "Patient/p1") -> Timeline:
        return build_timeline(map_fhir(fx.patient(), *resources).records[patient])

    return run


FOUR_CYCLES = [  # 7.4 GBq every 8 weeks, as labelled
    fx.procedure("c1", "2024-01-08"),
    fx.procedure("c2", "2024-03-04"),
    fx.procedure("c3", "2024-04-29"),
    fx.procedure("c4", "2024-06-24"),
]


# --- cycles ----------------------------------------------------------------------------------------


def test_cycles_are_numbered_by_date_whatever_the_input_order(timeline: Any) -> None:
    shuffled = FOUR_CYCLES[:]
    random.Random(7).shuffle(shuffled)
    assert [r["id"] for r in shuffled] != ["c1", "c2", "c3", "c4"]
    cycles = timeline(*shuffled).cycles
    assert [(c.number, c.date, c.sources) for c in cycles] == [
        (1, date(2024, 1, 8), ("Procedure/c1",)),
        (2, date(2024, 3, 4), ("Procedure/c2",)),
        (3, date(2024, 4, 29), ("Procedure/c3",)),
        (4, date(2024, 6, 24), ("Procedure/c4",)),
    ]
    assert [c.activity_gbq for c in cycles] == [7.4] * 4


def test_procedure_and_medication_administration_of_the_same_day_are_one_cycle(timeline: Any) -> None:
    result = timeline(
        fx.procedure("c1", "2024-01-08T08:00:00Z", activity=None),
        fx.medication_administration("m1", "2024-01-08T10:15:00Z", dose=7400, dose_unit="MBq"),
        fx.medication_administration("m2", "2024-03-04T10:00:00Z", dose=7.4),
    )
    assert [(c.number, c.date, c.sources, c.activity_gbq) for c in result.cycles] == [
        (1, date(2024, 1, 8), ("MedicationAdministration/m1", "Procedure/c1"), pytest.approx(7.4)),
        (2, date(2024, 3, 4), ("MedicationAdministration/m2",), 7.4),
    ]
    assert result.issues == ()


def test_same_day_is_the_day_as_written_not_the_utc_day(timeline: Any) -> None:
    # 23:30 at UTC-05:00 is the next UTC day, but the same calendar day at the treating site.
    result = timeline(
        fx.procedure("c1", "2024-01-08"), fx.medication_administration("m1", "2024-01-08T23:30:00-05:00")
    )
    assert len(result.cycles) == 1


def test_same_day_records_with_different_activities_use_the_largest_and_say_so(timeline: Any) -> None:
    result = timeline(
        fx.procedure("c1", "2024-01-08", activity=3.7), fx.medication_administration("m1", dose=7.4)
    )
    [cycle] = result.cycles
    assert cycle.activity_gbq == 7.4
    assert [(i.resource, i.message) for i in result.issues] == [
        (
            "MedicationAdministration/m1",
            "cycle 1: records of the same day give different activities; the largest is used",
        )
    ]


def test_cycle_without_any_activity(timeline: Any) -> None:
    [cycle] = timeline(fx.procedure("c1", activity=None)).cycles
    assert cycle.activity_gbq is None


def test_no_administration_no_cycles(timeline: Any) -> None:
    result = timeline(fx.lab("o1", "alt", 20, "U/L"))
    assert (result.cycles, result.first_day, result.cycle_of(date(2024, 1, 1))) == ((), None, 0)


# --- cycle windows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "cycle"),
    [
        (date(2023, 12, 1), 0),
        (date(2024, 1, 7), 0),  # the day before the first administration
        (date(2024, 1, 8), 1),  # a lab on an administration day belongs to that cycle
        (date(2024, 3, 3), 1),  # the day before the next administration
        (date(2024, 3, 4), 2),
        (date(2024, 4, 28), 2),
        (date(2024, 4, 29), 3),
        (date(2024, 6, 24), 4),
        (date(2025, 6, 24), 4),  # the last window is open-ended
    ],
)
def test_cycle_windows(timeline: Any, day: date, cycle: int) -> None:
    assert timeline(*FOUR_CYCLES).cycle_of(day) == cycle


def test_a_lab_drawn_hours_before_the_infusion_on_the_same_day_is_in_that_cycle(timeline: Any) -> None:
    result = timeline(
        fx.procedure("c1", "2024-01-08T13:00:00Z"),
        fx.lab("o1", "platelets", 200, "10*3/uL", when="2024-01-08T07:00:00Z"),
    )
    [lab] = result.labs
    assert result.cycle_of(lab.day) == 1


# --- baselines ------------------------------------------------------------------------------------


def test_baseline_is_the_latest_result_on_or_before_the_first_administration_day(timeline: Any) -> None:
    result = timeline(
        *FOUR_CYCLES,
        fx.lab("plt-old", "platelets", 250, "10*3/uL", when="2023-12-01T08:00:00Z"),
        fx.lab("plt-c1-day", "platelets", 230, "10*3/uL", when="2024-01-08T07:00:00Z"),
        fx.lab("plt-pre", "platelets", 240, "10*3/uL", when="2024-01-02T08:00:00Z"),
        fx.lab("plt-post", "platelets", 120, "10*3/uL", when="2024-02-05T08:00:00Z"),
        fx.lab("alt-pre", "alt", 30, "U/L", when="2023-11-20"),
    )
    assert result.baseline("platelets").lab.ref == "Observation/plt-c1-day"  # type: ignore[union-attr]
    assert result.baseline("alt").lab.ref == "Observation/alt-pre"  # type: ignore[union-attr]
    assert result.baseline("hemoglobin") is None
    assert [lab.ref for lab in result.labs] == [
        "Observation/alt-pre",
        "Observation/plt-old",
        "Observation/plt-pre",
        "Observation/plt-c1-day",
        "Observation/plt-post",
    ]


def test_no_baseline_when_every_result_is_after_the_first_administration(timeline: Any) -> None:
    result = timeline(*FOUR_CYCLES, fx.lab("post", "alt", 30, "U/L", when="2024-01-09"))
    assert result.baseline("alt") is None


def test_without_administration_the_earliest_result_is_the_baseline(timeline: Any) -> None:
    result = timeline(
        fx.lab("late", "creatinine", 1.0, "mg/dL", when="2024-05-01"),
        fx.lab("early", "creatinine", 0.8, "mg/dL", when="2024-02-01"),
        fx.lab("middle", "creatinine", 0.9, "mg/dL", when="2024-03-01"),
    )
    assert result.baseline("creatinine").lab.ref == "Observation/early"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "interpretation", "high", "low"),
    [
        (1.0, None, False, False),  # within 0.5 - 1.1 mg/dL
        (1.1, None, False, False),  # at the ULN is not above it
        (1.3, None, True, False),  # above the ULN, no interpretation
        (1.0, "H", True, False),  # the interpretation says high
        (1.0, "HH", True, False),
        (1.3, "N", False, False),  # an interpretation wins over the value
        (0.4, None, False, True),
        (0.8, "L", False, True),
    ],
)
def test_baseline_abnormal_by_interpretation_or_by_value(
    timeline: Any, value: float, interpretation: str | None, high: bool, low: bool
) -> None:
    result = timeline(
        fx.procedure("c1", "2024-01-08"),
        fx.lab(
            "cr",
            "creatinine",
            value,
            "mg/dL",
            low=0.5,
            high=1.1,
            interpretation=interpretation,
            when="2024-01-02",
        ),
    )
    baseline = result.baseline("creatinine")
    assert baseline is not None
    assert (baseline.abnormal_high, baseline.abnormal_low) == (high, low)


def test_baseline_abnormal_high_against_a_default_uln(timeline: Any) -> None:
    # No referenceRange: ALT's default ULN is 41 U/L.
    result = timeline(fx.procedure("c1", "2024-01-08"), fx.lab("alt", "alt", 45, "U/L", when="2024-01-02"))
    baseline = result.baseline("alt")
    assert baseline is not None and baseline.lab.range_source == "default" and baseline.abnormal_high


def test_other_facts_are_sorted_by_time(timeline: Any) -> None:
    result = timeline(
        fx.ecog("e2", 0, when="2024-08-01"),
        fx.ecog("e1", 1, when="2024-01-02"),
        fx.body_weight("w2", 66, when="2024-06-17"),
        fx.body_weight("w1", 68, when="2024-01-02"),
        fx.lesion("t2", 30, when="2024-04-01"),
        fx.lesion("t1", 42, when="2024-01-02"),
    )
    assert [p.ref for p in result.performance] == ["Observation/e1", "Observation/e2"]
    assert [b.ref for b in result.body] == ["Observation/w1", "Observation/w2"]
    assert [t.ref for t in result.tumour] == ["Observation/t1", "Observation/t2"]
    assert result.latest_day() == date(2024, 8, 1)


def test_latest_day_includes_death(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(deceased_date="2025-03-01"), fx.procedure("c1", "2024-01-08"))
    assert build_timeline(mapped.records["Patient/p1"]).latest_day() == date(2025, 3, 1)
