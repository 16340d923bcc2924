"""examples/prrt_patient.json: valid FHIR R4, mapped without any issue, telling the story it claims."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from fhir.resources.R4B import get_fhir_model_class

from cds.facts import LesionMeasurement, NonTargetStatus
from cds.mapping import map_collected
from cds.reading import read_paths
from cds.timeline import Timeline, build_timeline

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "prrt_patient.json"
PATIENT = "Patient/prrt-example"


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    mapped = map_collected(read_paths([EXAMPLE]))
    assert mapped.issues == []
    assert list(mapped.records) == [PATIENT]
    assert mapped.records[PATIENT].issues == []
    return build_timeline(mapped.records[PATIENT])


def test_the_example_is_valid_fhir() -> None:
    bundle = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    get_fhir_model_class("Bundle").model_validate(bundle)
    assert bundle["type"] == "collection"


def test_patient(timeline: Timeline) -> None:
    assert (timeline.patient.sex, timeline.patient.birth_date.year) == ("female", 1962)  # type: ignore[union-attr]
    assert not timeline.patient.deceased


def test_four_cycles_of_7_4_gbq_eight_weeks_apart(timeline: Timeline) -> None:
    assert [(c.number, c.date, c.activity_gbq) for c in timeline.cycles] == [
        (1, date(2024, 1, 8), 7.4),
        (2, date(2024, 3, 4), 7.4),
        (3, date(2024, 4, 29), 7.4),
        (4, date(2024, 6, 24), 7.4),
    ]
    assert [(b.date - a.date).days for a, b in zip(timeline.cycles, timeline.cycles[1:], strict=False)] == [
        56
    ] * 3
    # Cycle 1 is recorded twice: the Procedure and a MedicationAdministration partOf it (7400 MBq).
    assert timeline.cycles[0].sources == ("Procedure/proc-c1", "MedicationAdministration/ma-c1")


def test_labs_a_week_before_and_four_weeks_after_each_cycle(timeline: Timeline) -> None:
    by_analyte: dict[str, list[int]] = defaultdict(list)
    for lab in timeline.labs:
        assert lab.range_source == "observation"
        by_analyte[lab.analyte].append(timeline.cycle_of(lab.day))
    assert set(by_analyte) == {
        "hemoglobin",
        "wbc",
        "neutrophils",
        "lymphocytes",
        "platelets",
        "creatinine",
        "bilirubin",
        "albumin",
        "ast",
        "alt",
    }
    # pre-cycle-1 draw in cycle 0, then the post draw of a cycle and the pre draw of the next in one window.
    assert all(cycles == [0, 1, 1, 2, 2, 3, 3, 4] for cycles in by_analyte.values())


def test_grade_2_thrombocytopenia_after_cycle_2_recovers_before_cycle_3(timeline: Timeline) -> None:
    platelets = {lab.ref: lab for lab in timeline.labs if lab.analyte == "platelets"}
    nadir = platelets["Observation/lab-plt-c2-post"]
    assert (nadir.day, nadir.value, nadir.low, nadir.unit, nadir.flag) == (
        date(2024, 4, 1),
        70.0,
        150.0,
        "10*9/L",
        "low",
    )
    assert 50 <= nadir.value < 75  # CTCAE v5.0 Platelet count decreased, grade 2: <75 - 50 x 10^9/L
    recovered = platelets["Observation/lab-plt-c3-pre"]
    assert recovered.day < timeline.cycles[2].date and recovered.value >= recovered.low  # type: ignore[operator]
    others = [lab for ref, lab in platelets.items() if ref != nadir.ref]
    assert all(lab.value >= 150 for lab in others)


def test_baselines_are_the_pre_cycle_1_draws(timeline: Timeline) -> None:
    for analyte, baseline in timeline.baselines.items():
        assert baseline.lab.day == date(2024, 1, 2), analyte
        assert not baseline.abnormal_high and not baseline.abnormal_low


def test_performance_and_body_measures(timeline: Timeline) -> None:
    assert [(p.day, p.score) for p in timeline.performance] == [(date(2024, 1, 2), 1), (date(2024, 7, 22), 0)]
    assert sorted((b.day, b.kind, b.value) for b in timeline.body) == [
        (date(2024, 1, 2), "height", 165.0),
        (date(2024, 1, 2), "weight", 68.0),
        (date(2024, 6, 17), "weight", 67.2),
    ]


def test_lesions_show_a_partial_response(timeline: Timeline) -> None:
    sums: dict[date, float] = defaultdict(float)
    targets: dict[date, set[str]] = defaultdict(set)
    non_target: list[tuple[date, str]] = []
    for fact in timeline.tumour:
        if isinstance(fact, LesionMeasurement):
            assert fact.role == "target"
            sums[fact.day] += fact.size_mm
            targets[fact.day].add(fact.lesion)
        else:
            assert isinstance(fact, NonTargetStatus)
            non_target.append((fact.day, fact.status))
    days = sorted(sums)
    assert days == [date(2023, 12, 20), date(2024, 4, 15), date(2024, 9, 16)]
    assert all(
        targets[day]
        == {
            "BodyStructure/lesion-liver-seg7",
            "BodyStructure/lesion-liver-seg4",
            "BodyStructure/lesion-node-mesenteric",
        }
        for day in days
    )
    assert [sums[day] for day in days] == [88.0, 60.0, 50.0]
    # RECIST 1.1 PR: at least a 30 % decrease of the sum of diameters from baseline.
    assert all((sums[day] - sums[days[0]]) / sums[days[0]] <= -0.30 for day in days[1:])
    assert non_target == [(day, "present") for day in days]
    nodes = [f for f in timeline.tumour if isinstance(f, LesionMeasurement) and f.lymph_node]
    assert [f.size_mm for f in nodes] == [18.0, 12.0, 9.0]
