"""Post-therapy dosimetry Observations (code system ``urn:prrt-cds:dosimetry``) and the Conditions that
are kidney risk factors (hypertension, diabetes), as facts (FHIR input profile, "Post-therapy
dosimetry" and "Kidney risk factors"; codes and units in fhir_mappings/codes.toml).

A dosimetry Observation that cannot be used (no or a negative dose, a unit not listed, an implausible
half-life) still becomes a ``DosimetryResult``, with no dose and the ``problem``, so that its cycle
reads "cannot evaluate" instead of silently adding nothing to the cumulative dose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from cds.facts import DosimetryResult, RiskFactor
from cds.mapping.fhir import (
    Unusable,
    codings,
    concept_text,
    effective,
    items,
    quantity,
    ref_of,
    reference,
    refuse_value_and_absent_reason,
)
from cds.tables import DosimetryCodes, Plausible, UnitTable

Resource = Mapping[str, Any]
Organ = Literal["kidney", "bone-marrow"]
_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def dosimetry_organ(resource: Resource, table: DosimetryCodes) -> Organ | None:
    """The organ of a dosimetry Observation's code, or None when it is not one."""
    for system, code in codings(resource.get("code")):
        if system == table.system:
            if code == table.kidney_code:
                return "kidney"
            if code == table.bone_marrow_code:
                return "bone-marrow"
    return None


def _converted(value: Any, units: UnitTable, plausible: Plausible, what: str) -> float:
    """A Quantity in the canonical unit of ``units``; a unit not listed, a value of 0 or less, or one
    outside the plausible limits is ``Unusable`` naming the quantity."""
    number, unit = quantity(value)
    factor = unit.factor(units)
    if factor is None:
        shown = "(none)" if unit.text is None else repr(unit.text[:40])
        raise Unusable(f"{what} unit {shown} is not convertible to {units.canonical}")
    if number <= 0:
        raise Unusable(f"{what} is not positive")
    converted = number * factor
    if not plausible.admits(converted):
        raise Unusable(f"{what} is implausible: {number:.15g} {unit.text} "
                       f"(plausible {plausible.low:g} to {plausible.high:g} {plausible.unit})")
    return converted


def _component(resource: Resource, system: str, code: str) -> Any:
    for component in items(resource.get("component")):
        if isinstance(component, dict) and (system, code) in codings(component.get("code")):
            return component.get("valueQuantity", {})
    return None


def _side(resource: Resource, table: DosimetryCodes) -> Literal["mean", "left", "right"]:
    site = resource.get("bodySite")
    codes = {code for _system, code in codings(site)}
    if codes & table.left_kidney:
        return "left"
    if codes & table.right_kidney:
        return "right"
    text = concept_text(site)
    if "left" in text and "right" not in text:
        return "left"
    if "right" in text and "left" not in text:
        return "right"
    return "mean"


def _administration(resource: Resource, aliases: Mapping[str, str]) -> str | None:
    """The administration the Observation names in ``partOf`` or ``derivedFrom`` (the first)."""
    for name in ("partOf", "derivedFrom"):
        for value in items(resource.get(name)):
            found = reference(value, aliases)
            if found is not None and found.split("/")[0] in ("Procedure", "MedicationAdministration"):
                return found
    return None


def map_dosimetry(resource: Resource, organ: Organ, patient: str, table: DosimetryCodes,
                  aliases: Mapping[str, str]) -> DosimetryResult:
    """One dosimetry Observation: the absorbed dose in Gy, with the effective half-life (h) and the
    dose per activity (Gy/GBq) when its components give them. No date is ``Unusable`` (it names no
    cycle); any other problem keeps the fact without a dose, with the reason."""
    at, day = effective(resource, "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
    fact = DosimetryResult(ref=ref_of(resource), patient=patient, at=at, day=day, organ=organ,
                           side=_side(resource, table) if organ == "kidney" else "mean",
                           administration=_administration(resource, aliases))
    what = f"{organ} absorbed dose"
    try:
        refuse_value_and_absent_reason(resource)  # a placeholder 0 Gy would lower the cumulative dose
        dose = _converted(resource.get("valueQuantity"), table.dose_units, table.dose_plausible, what)
        half_life = _component(resource, table.system, table.half_life_code)
        t_eff = None if half_life is None else _converted(
            half_life, table.half_life_units, table.half_life_plausible, "effective half-life")
        per_activity = _component(resource, table.system, table.per_activity_code)
        gy_per_gbq = None if per_activity is None else _converted(
            per_activity, table.per_activity_units, table.per_activity_plausible, "absorbed dose per activity")
    except Unusable as exc:
        return fact.model_copy(update={"problem": str(exc)})
    return fact.model_copy(update={"absorbed_gy": dose, "t_eff_h": t_eff, "gy_per_gbq": gy_per_gbq})


def _status(concept: Any, system: str) -> set[str]:
    return {code for found, code in codings(concept) if found in (system, None)}


def risk_factor_of(resource: Resource, table: DosimetryCodes) -> tuple[str, str] | None:
    """(factor, code) when the Condition's code is a kidney risk factor of the table, else None."""
    for system, code in codings(resource.get("code")):
        if system == table.snomed and code in table.risk_factors:
            return table.risk_factors[code], code
    return None


def map_condition(resource: Resource, patient: str, table: DosimetryCodes) -> tuple[RiskFactor | None, str | None]:
    """A Condition of hypertension or diabetes -> a present risk factor, or None when its status says
    it is not present (inactive, remission, resolved; refuted or entered in error); and a warning when
    it has no clinical status (counted: the conservative reading selects the stricter limit)."""
    found = risk_factor_of(resource, table)
    if found is None:
        return None, None
    factor, code = found
    if _status(resource.get("verificationStatus"), _VERIFICATION) & table.refuted_verification:
        return None, None
    clinical = _status(resource.get("clinicalStatus"), _CLINICAL)
    warning = None
    if not clinical:
        warning = f"{factor} without a clinical status: counted as a kidney risk factor (the stricter limit)"
    elif not clinical & table.active_status:
        return None, None
    fact = RiskFactor(ref=ref_of(resource), patient=patient, factor=factor, code=code)
    return fact, warning
