"""Patient, performance status (ECOG, Karnofsky) and body measures."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx
import pytest

from cds.facts import Patient


def test_patient_fields(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient("p1", gender="female", birth_date="1962-05-14"))
    assert mapped.records["Patient/p1"].patient == Patient(
        ref="Patient/p1", sex="female", birth_date=date(1962, 5, 14), deceased=False, death_date=None
    )
    assert mapped.records["Patient/p1"].seen_patient_resource


def test_patient_deceased_date_time(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(deceased_date="2025-02-03T10:00:00+01:00"))
    patient = mapped.records["Patient/p1"].patient
    assert (patient.deceased, patient.death_date) == (True, date(2025, 2, 3))
    assert mapped.records["Patient/p1"].issues == []


def test_deceased_boolean_without_a_date_is_an_issue(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(deceased=True))
    record = mapped.records["Patient/p1"]
    assert (record.patient.deceased, record.patient.death_date) == (True, None)
    assert [(i.severity, i.resource, i.message) for i in record.issues] == [
        ("warning", "Patient/p1", "deceased without a date of death: excluded from survival time")
    ]


def test_deceased_false(map_fhir: Any) -> None:
    record = map_fhir(fx.patient(deceased=False)).records["Patient/p1"]
    assert record.patient.deceased is False and record.issues == []


def test_patient_of_facts_without_a_patient_resource(map_fhir: Any) -> None:
    record = map_fhir(fx.lab("o1", "alt", 20, "U/L")).records["Patient/p1"]
    assert record.patient == Patient(ref="Patient/p1") and not record.seen_patient_resource


# --- performance status ----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["integer", "answer", "interpretation", "mcode"])
@pytest.mark.parametrize("score", [0, 1, 2, 3, 4, 5])
def test_ecog_in_every_representation(map_fhir: Any, shape: str, score: int) -> None:
    record = map_fhir(fx.patient(), fx.ecog("e1", score, shape)).records["Patient/p1"]
    [fact] = record.performance
    assert (fact.scale, fact.score, fact.ref) == ("ecog", score, "Observation/e1")
    assert record.issues == []


@pytest.mark.parametrize("shape", ["integer", "answer", "interpretation"])
@pytest.mark.parametrize("score", [100, 90, 70, 40, 10])
def test_karnofsky_in_every_representation(map_fhir: Any, shape: str, score: int) -> None:
    [fact] = map_fhir(fx.patient(), fx.karnofsky("k1", score, shape)).records["Patient/p1"].performance
    assert (fact.scale, fact.score) == ("karnofsky", score)


def test_ecog_by_snomed_answer(map_fhir: Any) -> None:
    observation = fx.observation(
        "e1", fx.concept(fx.LOINC, "89247-1"), valueCodeableConcept=fx.concept(fx.SNOMED, "422512005")
    )
    [fact] = map_fhir(fx.patient(), observation).records["Patient/p1"].performance
    assert fact.score == 1


def test_value_integer_is_preferred_to_the_interpretation(map_fhir: Any) -> None:
    observation = fx.ecog("e1", 2, "integer", interpretation=[fx.concept(fx.LOINC, "LA9622-7")])
    [fact] = map_fhir(fx.patient(), observation).records["Patient/p1"].performance
    assert fact.score == 2


@pytest.mark.parametrize(
    ("observation", "message"),
    [
        (fx.ecog("e1", 6), "ecog score out of range"),
        (fx.ecog("e1", -1), "ecog score out of range"),
        (fx.karnofsky("e1", 75), "karnofsky score out of range"),
        (fx.karnofsky("e1", 110), "karnofsky score out of range"),
        (
            fx.observation("e1", fx.concept(fx.LOINC, "89247-1"), valueString="1"),
            "ecog score has no valueInteger, answer code or interpretation",
        ),
    ],
)
def test_unusable_performance_status(map_fhir: Any, observation: dict[str, Any], message: str) -> None:
    record = map_fhir(fx.patient(), observation, fx.ecog("e2", 1)).records["Patient/p1"]
    assert [f.ref for f in record.performance] == ["Observation/e2"]
    assert [(i.resource, i.message) for i in record.issues] == [("Observation/e1", message)]


# --- body measures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "kg"), [(68.5, "kg", 68.5), (68500, "g", 68.5), (151, "[lb_av]", 68.49244787)]
)
def test_body_weight_units(map_fhir: Any, value: float, unit: str, kg: float) -> None:
    [fact] = map_fhir(fx.patient(), fx.body_weight("w1", value, unit)).records["Patient/p1"].body
    assert (fact.kind, fact.unit) == ("weight", "kg")
    assert fact.value == pytest.approx(kg, rel=1e-9)


@pytest.mark.parametrize(
    ("value", "unit", "cm"), [(165, "cm", 165.0), (1.65, "m", 165.0), (65, "[in_i]", 165.1)]
)
def test_body_height_units(map_fhir: Any, value: float, unit: str, cm: float) -> None:
    [fact] = map_fhir(fx.patient(), fx.body_height("h1", value, unit)).records["Patient/p1"].body
    assert (fact.kind, fact.unit) == ("height", "cm")
    assert fact.value == pytest.approx(cm, rel=1e-9)


@pytest.mark.parametrize(
    ("observation", "message"),
    [
        (fx.body_weight("w1", 68, "stone"), "weight unit 'stone' is not convertible to kg"),
        (fx.body_weight("w1", 0, "kg"), "weight is not positive"),
        (fx.body_height("w1", 165, "furlong"), "height unit 'furlong' is not convertible to cm"),
    ],
)
def test_unusable_body_measure(map_fhir: Any, observation: dict[str, Any], message: str) -> None:
    record = map_fhir(fx.patient(), observation).records["Patient/p1"]
    assert record.body == []
    assert [(i.resource, i.message) for i in record.issues] == [("Observation/w1", message)]
