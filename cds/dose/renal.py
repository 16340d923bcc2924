"""Creatinine clearance by Cockcroft-Gault, for the Lutathera renal rules: the formula, and the patient's
clearance for one creatinine result (the weight and age it uses).

CrCl (mL/min) = (140 - age in years) x weight (kg) / (72 x serum creatinine in mg/dL), x 0.85 for a
woman (Cockcroft DW, Gault MH. Nephron 1976;16:31-41), with actual body weight as the Lutathera
renal-toxicity reference uses it (unverified recall, see rules/lutathera_dose.toml). With the sex
unknown the female factor is used: the lower clearance, the conservative reading.
"""

from __future__ import annotations

from datetime import date

from cds.facts import BodyMeasure, LabResult, age_years
from cds.tables import analytes, codes
from cds.timeline import Timeline

CREATININE_UMOL_PER_MG_DL = 88.42  # same factor as fhir_mappings/analytes.toml


def refusal(age: int, weight_kg: float, creatinine_umol_l: float) -> str | None:
    """Why Cockcroft-Gault cannot be computed from these inputs, or None.

    Each must be plausible (the creatinine and weight limits of fhir_mappings/, the ages of codes.toml
    ``[plausibility]``): a creatinine of 0 divides by zero, and an age of 2023 years (birthDate
    0001-01-01) gives a negative clearance that would read as severe renal impairment.
    """
    ages = codes().dates
    if not ages.min_age_years <= age <= ages.max_age_years:
        return f"age outside {ages.min_age_years}-{ages.max_age_years} years"
    if weight_kg <= 0 or not codes().weight_plausible.admits(weight_kg):
        return "body weight outside the plausible values"
    if creatinine_umol_l <= 0 or not analytes().analytes["creatinine"].plausible.admits(creatinine_umol_l):
        return "creatinine outside the plausible values"
    return None


def cockcroft_gault(age: int, weight_kg: float, creatinine_umol_l: float, sex: str | None) -> float:
    """Creatinine clearance in mL/min. Raises ValueError for an implausible input (``refusal``): the
    mapping keeps such values out, this is the last line of defence."""
    problem = refusal(age, weight_kg, creatinine_umol_l)
    if problem is not None:
        raise ValueError(f"Cockcroft-Gault refused: {problem}")
    creatinine_mg_dl = creatinine_umol_l / CREATININE_UMOL_PER_MG_DL
    clearance = (140 - age) * weight_kg / (72 * creatinine_mg_dl)
    clearance = clearance if sex == "male" else clearance * 0.85
    # Plausible inputs can still combine into a clearance no kidney has (a creatinine of 0.06 mg/dL
    # gives about 1000 mL/min): refused as well, with the limits of a measured clearance.
    if not analytes().analytes["creatinine_clearance"].plausible.admits(clearance):
        raise ValueError("Cockcroft-Gault refused: the clearance lies outside the plausible values")
    return clearance


def cockcroft_gault_text(age: int, weight_kg: float, creatinine_umol_l: float, sex: str | None,
                         clearance: float) -> str:
    """The computation of ``cockcroft_gault`` with its inputs, as a clinician would check it by hand."""
    female = "" if sex == "male" else " x 0.85"
    return (f"Cockcroft-Gault, actual body weight: (140 - {age} years) x {weight_kg:g} kg / "
            f"(72 x {creatinine_umol_l / CREATININE_UMOL_PER_MG_DL:.2f} mg/dL creatinine){female} "
            f"= {clearance:.1f} mL/min")


def weight_on(timeline: Timeline, day: date) -> BodyMeasure | None:
    """The latest body weight on or before ``day``, else the first one after it (actual body weight)."""
    weights = [b for b in timeline.body if b.kind == "weight"]
    before = [b for b in weights if b.day <= day]
    if before:
        return before[-1]
    return weights[0] if weights else None


def clearance(timeline: Timeline, creatinine: LabResult) -> tuple[float, tuple[str, ...], str] | None:
    """Cockcroft-Gault clearance for one creatinine result of the patient, with the resources used and
    the computation written out; None without a birth date or a weight, or for an implausible input."""
    patient = timeline.patient
    weight = weight_on(timeline, creatinine.day)
    if patient.birth_date is None or weight is None:
        return None
    age = age_years(patient.birth_date, creatinine.day)
    try:
        value = cockcroft_gault(age, weight.value, creatinine.value, patient.sex)
    except ValueError:  # an implausible input: no clearance (the labs.crcl reason asks for one)
        return None
    formula = cockcroft_gault_text(age, weight.value, creatinine.value, patient.sex, value)
    return value, (creatinine.ref, weight.ref, patient.ref), formula


def baseline_clearance(timeline: Timeline) -> float | None:
    """The Cockcroft-Gault clearance of the baseline creatinine, or None."""
    baseline = timeline.baseline("creatinine")
    if baseline is None:
        return None
    result = clearance(timeline, baseline.lab)
    return result[0] if result else None
