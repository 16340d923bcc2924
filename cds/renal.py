"""Creatinine clearance by Cockcroft-Gault, for the Lutathera renal rules.

CrCl (mL/min) = (140 - age in years) x weight (kg) / (72 x serum creatinine in mg/dL), x 0.85 for a
woman (Cockcroft DW, Gault MH. Nephron 1976;16:31-41), with actual body weight as the Lutathera
renal-toxicity reference uses it (unverified recall, see rules/lutathera_dose.toml). With the sex
unknown the female factor is used: the lower clearance, the conservative reading.
"""

from __future__ import annotations

from datetime import date

CREATININE_UMOL_PER_MG_DL = 88.42  # same factor as fhir_mappings/analytes.toml


def age_years(birth: date, on: date) -> int:
    """Completed years of age on a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def cockcroft_gault(age: int, weight_kg: float, creatinine_umol_l: float, sex: str | None) -> float:
    """Creatinine clearance in mL/min. Raises ValueError for a non-positive creatinine or weight."""
    if creatinine_umol_l <= 0 or weight_kg <= 0:
        raise ValueError("creatinine and weight must be positive")
    creatinine_mg_dl = creatinine_umol_l / CREATININE_UMOL_PER_MG_DL
    clearance = (140 - age) * weight_kg / (72 * creatinine_mg_dl)
    return clearance if sex == "male" else clearance * 0.85
