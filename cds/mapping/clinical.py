"""Patient, performance status (ECOG, Karnofsky) and body measures (weight, height)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cds.facts import BodyMeasure, Patient, PerformanceScore
from cds.mapping.fhir import Unusable, codings, effective, items, parse_date, quantity, ref_of
from cds.tables import CodeTable, UnitTable

Resource = Mapping[str, Any]

_SEX = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}


def map_patient(resource: Resource) -> tuple[Patient, str | None]:
    """The Patient and, for ``deceasedBoolean: true`` without a date, a warning."""
    deceased_at = resource.get("deceasedDateTime")
    death = parse_date(deceased_at) if deceased_at is not None else None
    deceased = death is not None or resource.get("deceasedBoolean") is True
    gender = resource.get("gender")
    fact = Patient(
        ref=ref_of(resource),
        sex=_SEX.get(gender) if isinstance(gender, str) else None,
        birth_date=parse_date(resource.get("birthDate")),
        deceased=deceased,
        death_date=death,
    )
    warning = None
    if deceased and death is None:
        warning = "deceased without a date of death: excluded from survival time"
    return fact, warning


def map_performance(
    resource: Resource, scale: str, patient: str, table: CodeTable
) -> PerformanceScore:
    """ECOG (0-5) or Karnofsky (0-100): valueInteger, else an answer code, else an interpretation."""
    section = table.section(scale)
    low, high = section["range"]
    score: int | None = None
    value = resource.get("valueInteger")
    if isinstance(value, int) and not isinstance(value, bool):
        score = value
    else:
        concepts = [resource.get("valueCodeableConcept"), *items(resource.get("interpretation"))]
        answers = {**section["answers"], **section.get("snomed_answers", {})}
        for concept in concepts:
            for _system, code in codings(concept):
                if code in answers:
                    score = int(answers[code])
                    break
            if score is not None:
                break
    if score is None:
        raise Unusable(f"{scale} score has no valueInteger, answer code or interpretation")
    if not low <= score <= high or (scale == "karnofsky" and score % 10):
        raise Unusable(f"{scale} score out of range")
    at, day = effective(resource, "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
    return PerformanceScore(
        ref=ref_of(resource), patient=patient, at=at, day=day, scale=scale, score=score
    )


def map_body(resource: Resource, kind: str, patient: str, units: UnitTable) -> BodyMeasure:
    number, unit = quantity(resource.get("valueQuantity"))
    factor = unit.factor(units)
    if factor is None:
        raise Unusable(f"{kind} unit {unit.text!r} is not convertible to {units.canonical}")
    if number <= 0:
        raise Unusable(f"{kind} is not positive")
    at, day = effective(resource, "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
    return BodyMeasure(
        ref=ref_of(resource), patient=patient, at=at, day=day, kind=kind,
        value=number * factor, unit=units.canonical,
    )
