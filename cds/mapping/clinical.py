"""Patient, performance status (ECOG, Karnofsky) and body measures (weight, height)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cds.facts import BodyMeasure, Patient, PerformanceScore
from cds.mapping.fhir import (
    Unusable,
    codings,
    effective,
    items,
    parse_date,
    quantity,
    ref_of,
    refuse_value_and_absent_reason,
)
from cds.tables import CodeTable, Plausible, PlausibleDates, UnitTable

Resource = Mapping[str, Any]

_SEX = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}


def map_patient(resource: Resource, dates: PlausibleDates) -> tuple[Patient, list[str]]:
    """The Patient and its warnings: ``deceasedBoolean: true`` without a date; a birth or death date
    outside the plausible window (codes.toml ``[plausibility]``), which is then unknown (no age, no
    survival time is derived from it) while the rest of the Patient is used."""
    warnings: list[str] = []
    birth = parse_date(resource.get("birthDate"))
    if birth is not None and not dates.admits(birth):
        warnings.append(f"birthDate outside the plausible window {dates.window_text()}: age unknown")
        birth = None
    deceased_at = resource.get("deceasedDateTime")
    death = parse_date(deceased_at) if deceased_at is not None else None
    deceased = deceased_at is not None or resource.get("deceasedBoolean") is True
    if death is not None and not dates.admits(death):
        warnings.append(f"deceasedDateTime outside the plausible window {dates.window_text()}: date of death unknown")
        death = None
    gender = resource.get("gender")
    fact = Patient(
        ref=ref_of(resource),
        sex=_SEX.get(gender) if isinstance(gender, str) else None,
        birth_date=birth,
        deceased=deceased,
        death_date=death,
    )
    if deceased and death is None:
        warnings.append("deceased without a date of death: excluded from survival time")
    return fact, warnings


def map_performance(
    resource: Resource, scale: str, patient: str, table: CodeTable
) -> PerformanceScore:
    """ECOG (0-5) or Karnofsky (0-100): valueInteger, else an answer code, else an interpretation."""
    refuse_value_and_absent_reason(resource)
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


def map_body(resource: Resource, kind: str, patient: str, units: UnitTable, plausible: Plausible) -> BodyMeasure:
    """A body weight or height in its canonical unit; one outside the plausible limits (codes.toml) is
    an issue, never a measure (it would enter Cockcroft-Gault)."""
    refuse_value_and_absent_reason(resource)
    number, unit = quantity(resource.get("valueQuantity"))
    factor = unit.factor(units)
    if factor is None:
        raise Unusable(f"{kind} unit {unit.text!r} is not convertible to {units.canonical}")
    if number <= 0:
        raise Unusable(f"{kind} is not positive")
    if not plausible.admits(number * factor):
        raise Unusable(f"{kind} is implausible: {number:.15g} {unit.text} "
                       f"(plausible {plausible.low:g} to {plausible.high:g} {plausible.unit})")
    at, day = effective(resource, "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
    return BodyMeasure(
        ref=ref_of(resource), patient=patient, at=at, day=day, kind=kind,
        value=number * factor, unit=units.canonical,
    )
