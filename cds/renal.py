"""Creatinine clearance by Cockcroft-Gault, for the Lutathera renal rules.

CrCl (mL/min) = (140 - age in years) x weight (kg) / (72 x serum creatinine in mg/dL), x 0.85 for a
woman (Cockcroft DW, Gault MH. Nephron 1976;16:31-41), with actual body weight as the Lutathera
renal-toxicity reference uses it (unverified recall, see rules/lutathera_dose.toml). With the sex
unknown the female factor is used: the lower clearance, the conservative reading.
"""

from __future__ import annotations

from datetime import date

from cds.tables import analytes, codes

CREATININE_UMOL_PER_MG_DL = 88.42  # same factor as fhir_mappings/analytes.toml


def age_years(birth: date, on: date) -> int:
    """Completed years of age on a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


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
