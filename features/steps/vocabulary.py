"""Words a clinician writes in a scenario -> what the FHIR record carries.

Analyte names -> (analyte key of fhir_mappings/analytes.toml, LOINC code); unit spellings -> the UCUM
code the Observation carries (or, for a spelling that is not UCUM, the unit text alone, as a lab feed
sends it). This is test data: it does not import ``cds``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Analyte:
    key: str  # analyte key in fhir_mappings/analytes.toml
    loinc: str  # the preferred LOINC code of that entry


_HEMOGLOBIN = Analyte("hemoglobin", "718-7")
_WBC = Analyte("wbc", "6690-2")
_NEUTROPHILS = Analyte("neutrophils", "751-8")
_LYMPHOCYTES = Analyte("lymphocytes", "731-0")
_CD4 = Analyte("cd4", "24467-3")
_PLATELETS = Analyte("platelets", "777-3")
_CREATININE = Analyte("creatinine", "2160-0")
_BILIRUBIN = Analyte("bilirubin", "1975-2")
_AST = Analyte("ast", "1920-8")
_ALT = Analyte("alt", "1742-6")
_ALP = Analyte("alp", "6768-6")
_GGT = Analyte("ggt", "2324-2")
_ALBUMIN = Analyte("albumin", "1751-7")
_LDH = Analyte("ldh", "2532-0")
_INR = Analyte("inr", "6301-6")
_APTT = Analyte("aptt", "3173-2")
_FIBRINOGEN = Analyte("fibrinogen", "3255-7")
_HAPTOGLOBIN = Analyte("haptoglobin", "4542-7")
_CPK = Analyte("cpk", "2157-6")
_LIPASE = Analyte("lipase", "3040-3")
_AMYLASE = Analyte("amylase", "1798-8")
_CHOLESTEROL = Analyte("cholesterol", "2093-3")
_TRIGLYCERIDES = Analyte("triglycerides", "2571-8")
_GLUCOSE = Analyte("glucose", "2345-7")
_URIC_ACID = Analyte("uric_acid", "3084-1")
_SODIUM = Analyte("sodium", "2951-2")
_POTASSIUM = Analyte("potassium", "2823-3")
_CALCIUM = Analyte("calcium", "17861-6")
_CALCIUM_IONIZED = Analyte("calcium_ionized", "1994-3")
_MAGNESIUM = Analyte("magnesium", "19123-9")
_PH = Analyte("ph", "2744-1")
_CREATININE_CLEARANCE = Analyte("creatinine_clearance", "2164-2")  # measured (24 h urine and serum)

# Every name a scenario may use for an analyte. "serum calcium" is total calcium: the analyte table
# maps no corrected-calcium code (LOINC 29265-6), so no name here claims "corrected".
ANALYTES: dict[str, Analyte] = {
    "hemoglobin": _HEMOGLOBIN,
    "haemoglobin": _HEMOGLOBIN,
    "Hgb": _HEMOGLOBIN,
    "white blood cell count": _WBC,
    "WBC": _WBC,
    "leukocyte count": _WBC,
    "neutrophil count": _NEUTROPHILS,
    "absolute neutrophil count": _NEUTROPHILS,
    "ANC": _NEUTROPHILS,
    "neutrophil percentage": Analyte("neutrophils_pct", "770-8"),
    "lymphocyte count": _LYMPHOCYTES,
    "absolute lymphocyte count": _LYMPHOCYTES,
    "lymphocyte percentage": Analyte("lymphocytes_pct", "736-9"),
    "CD4 count": _CD4,
    "CD4 lymphocyte count": _CD4,
    "platelet count": _PLATELETS,
    "creatinine": _CREATININE,
    "serum creatinine": _CREATININE,
    "measured creatinine clearance": _CREATININE_CLEARANCE,  # "creatinine clearance" is the dose steps' crcl
    "total bilirubin": _BILIRUBIN,
    "bilirubin": _BILIRUBIN,
    "AST": _AST,
    "aspartate aminotransferase": _AST,
    "ALT": _ALT,
    "alanine aminotransferase": _ALT,
    "alkaline phosphatase": _ALP,
    "ALP": _ALP,
    "GGT": _GGT,
    "gamma-glutamyl transferase": _GGT,
    "albumin": _ALBUMIN,
    "serum albumin": _ALBUMIN,
    "LDH": _LDH,
    "lactate dehydrogenase": _LDH,
    "INR": _INR,
    "aPTT": _APTT,
    "activated partial thromboplastin time": _APTT,
    "fibrinogen": _FIBRINOGEN,
    "haptoglobin": _HAPTOGLOBIN,
    "CPK": _CPK,
    "creatine kinase": _CPK,
    "lipase": _LIPASE,
    "amylase": _AMYLASE,
    "serum amylase": _AMYLASE,
    "total cholesterol": _CHOLESTEROL,
    "cholesterol": _CHOLESTEROL,
    "triglyceride level": _TRIGLYCERIDES,
    "triglycerides": _TRIGLYCERIDES,
    "glucose": _GLUCOSE,
    "blood glucose": _GLUCOSE,
    "uric acid": _URIC_ACID,
    "serum urate": _URIC_ACID,
    "sodium": _SODIUM,
    "serum sodium": _SODIUM,
    "potassium": _POTASSIUM,
    "serum potassium": _POTASSIUM,
    "serum calcium": _CALCIUM,
    "total calcium": _CALCIUM,
    "ionized calcium": _CALCIUM_IONIZED,
    "magnesium": _MAGNESIUM,
    "serum magnesium": _MAGNESIUM,
    "pH": _PH,
    "blood pH": _PH,
    "arterial pH": _PH,
}

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
