"""Words a clinician writes in a scenario -> what the FHIR record carries.

Analyte names -> the analyte key of ``fhir_mappings/analytes.toml``; the LOINC code an Observation
carries is that entry's preferred (first) code, read from the table itself, so a scenario can name only
analytes the mapping knows and never carries a second copy of a code. Unit spellings -> the UCUM code
the Observation carries (or, for a spelling that is not UCUM, the unit text alone, as a lab feed sends
it). This is test data: it reads the table file, it does not import ``cds``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

_TABLE = tomllib.loads((Path(__file__).resolve().parents[2] / "fhir_mappings" / "analytes.toml").read_text())


@dataclass(frozen=True)
class Analyte:
    key: str  # analyte key in fhir_mappings/analytes.toml
    loinc: str  # the LOINC code the scenario's Observation carries


def _analyte(key: str, loinc: str | None = None) -> Analyte:
    """The analyte ``key`` with its preferred code, or with ``loinc`` where a scenario needs another of
    the entry's codes (it must be one of them)."""
    codes: list[str] = _TABLE[key]["loinc"]  # KeyError: a name for an analyte the table does not have
    if loinc is not None and loinc not in codes:
        raise ValueError(f"{loinc} is not a code of {key} in fhir_mappings/analytes.toml")
    return Analyte(key, loinc or codes[0])


# Every name a scenario may use for an analyte -> its key. "serum calcium" is total calcium (graded corrected
# for an albumin of the same time); "corrected calcium" is the laboratory's own (LOINC 29265-6).
_NAMES: dict[str, str] = {
    "hemoglobin": "hemoglobin",
    "haemoglobin": "hemoglobin",
    "Hgb": "hemoglobin",
    "white blood cell count": "wbc",
    "WBC": "wbc",
    "leukocyte count": "wbc",
    "neutrophil count": "neutrophils",
    "absolute neutrophil count": "neutrophils",
    "ANC": "neutrophils",
    "neutrophil percentage": "neutrophils_pct",
    "lymphocyte count": "lymphocytes",
    "absolute lymphocyte count": "lymphocytes",
    "lymphocyte percentage": "lymphocytes_pct",
    "CD4 count": "cd4",
    "CD4 lymphocyte count": "cd4",
    "platelet count": "platelets",
    "creatinine": "creatinine",
    "serum creatinine": "creatinine",
    "total bilirubin": "bilirubin",
    "bilirubin": "bilirubin",
    "AST": "ast",
    "aspartate aminotransferase": "ast",
    "ALT": "alt",
    "alanine aminotransferase": "alt",
    "alkaline phosphatase": "alp",
    "ALP": "alp",
    "GGT": "ggt",
    "gamma-glutamyl transferase": "ggt",
    "albumin": "albumin",
    "serum albumin": "albumin",
    "LDH": "ldh",
    "lactate dehydrogenase": "ldh",
    "INR": "inr",
    "aPTT": "aptt",
    "activated partial thromboplastin time": "aptt",
    "fibrinogen": "fibrinogen",
    "haptoglobin": "haptoglobin",
    "CPK": "cpk",
    "creatine kinase": "cpk",
    "lipase": "lipase",
    "amylase": "amylase",
    "serum amylase": "amylase",
    "total cholesterol": "cholesterol",
    "cholesterol": "cholesterol",
    "triglyceride level": "triglycerides",
    "triglycerides": "triglycerides",
    "HDL cholesterol": "hdl",
    "LDL cholesterol": "ldl",
    "fasting glucose": "glucose_fasting",
    "glucose": "glucose",
    "blood glucose": "glucose",
    "uric acid": "uric_acid",
    "serum urate": "uric_acid",
    "sodium": "sodium",
    "serum sodium": "sodium",
    "potassium": "potassium",
    "serum potassium": "potassium",
    "serum calcium": "calcium",
    "corrected calcium": "calcium_corrected",
    "total calcium": "calcium",
    "ionized calcium": "calcium_ionized",
    "magnesium": "magnesium",
    "serum magnesium": "magnesium",
    "pH": "ph",
    "blood pH": "ph",
    "arterial pH": "ph",
    "measured creatinine clearance": "creatinine_clearance",
    "eGFR": "egfr",
    "CKD-EPI eGFR": "egfr",
    "CKD-EPI 2021 eGFR": "egfr",
}
# Codes other than the preferred one: "measured creatinine clearance" is the 24-hour urine and serum
# measurement (LOINC 2164-2), not the entry's first code; the eGFR (LOINC 33914-3, MDRD) has the
# CKD-EPI (62238-1) and the race-free CKD-EPI 2021 (98979-8) equations beside it.
_CODES = {"measured creatinine clearance": "2164-2", "CKD-EPI eGFR": "62238-1", "CKD-EPI 2021 eGFR": "98979-8"}

ANALYTES: dict[str, Analyte] = {name: _analyte(key, _CODES.get(name)) for name, key in _NAMES.items()}

# A regular-expression alternation of every analyte name, longest first.
ANALYTE_NAMES = "|".join(re.escape(name) for name in sorted(ANALYTES, key=len, reverse=True))

# Unit as written -> UCUM code. Spellings absent here (K/uL, G/L, mEq/l typed freely, a typo ...) are
# sent as unit text only, without a UCUM code, as many lab feeds do.
UCUM_CODES: dict[str, str] = {
    "x10^9/L": "10*9/L",
    "10^9/L": "10*9/L",
    "10*9/L": "10*9/L",
    "x10^3/uL": "10*3/uL",
    "10^3/uL": "10*3/uL",
    "10*3/uL": "10*3/uL",
    "/uL": "/uL",
    "/mm3": "/mm3",
    "cells/uL": "{cells}/uL",
    "g/dL": "g/dL",
    "g/L": "g/L",
    "mg/dL": "mg/dL",
    "mg/L": "mg/L",
    "mmol/L": "mmol/L",
    "umol/L": "umol/L",
    "µmol/L": "umol/L",
    "U/L": "U/L",
    "IU/L": "[IU]/L",
    "ukat/L": "ukat/L",
    "µkat/L": "ukat/L",
    "mEq/L": "meq/L",
    "s": "s",
    "sec": "s",
    "seconds": "s",
    "%": "%",
    "mL/min": "mL/min",
}


def ucum_code(unit: str) -> str | None:
    """The UCUM code for a unit as written, or None when it is sent as text only."""
    return UCUM_CODES.get(unit)
