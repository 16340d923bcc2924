"""FHIR R4 JSON builders for the demo cohort, in the shapes of docs/fhir-input-profile.md.

Plain dicts, one function per resource shape: Patient, PRRT Procedure (SNOMED 399315003 with the
administered-activity extension), laboratory Observation (LOINC, UCUM, referenceRange), ECOG and
Karnofsky (LOINC 89247-1 / 89243-0, valueInteger), lesion measurement (mCODE TumorSize, LOINC 21889-1
with the longest diameter in component 33728-7, role component, focus BodyStructure), BodyStructure and
a collection Bundle.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from cds.tables import codes

Resource = dict[str, Any]

# The code systems, from fhir_mappings/codes.toml [systems]: the mapping reads what the demo writes.
LOINC, SNOMED, UCUM, RECIST = (codes().system(name) for name in ("loinc", "snomed", "ucum", "recist"))
ACTIVITY_URL = "urn:prrt-cds:administered-activity"
BASE_URL = "http://example.org/fhir"
LAB_CATEGORY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "laboratory"}]}


def instant(day: date, hour: int = 9) -> str:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _subject(patient: str) -> Resource:
    return {"reference": f"Patient/{patient}"}


def patient(pid: str, sex: str, birth: date, death: date | None) -> Resource:
    out: Resource = {"resourceType": "Patient", "id": pid, "gender": sex, "birthDate": birth.isoformat()}
    if death is not None:
        out["deceasedDateTime"] = death.isoformat()
    return out


def procedure(rid: str, patient_id: str, day: date, activity_gbq: float) -> Resource:
    return {
        "resourceType": "Procedure", "id": rid, "status": "completed",
        "code": {"coding": [{"system": SNOMED, "code": "399315003", "display": "Radionuclide therapy"}],
                 "text": "Lutetium Lu 177 dotatate (Lutathera) infusion"},
        "subject": _subject(patient_id),
        "performedDateTime": instant(day, 10),
        "extension": [{"url": ACTIVITY_URL,
                       "valueQuantity": {"value": activity_gbq, "unit": "GBq", "system": UCUM, "code": "GBq"}}],
    }


def lab(rid: str, patient_id: str, day: date, loinc: str, text: str, value: float, unit: str,
        low: float, high: float) -> Resource:
    def quantity(number: float) -> Resource:
        return {"value": number, "unit": unit, "system": UCUM, "code": unit}

    return {
        "resourceType": "Observation", "id": rid, "status": "final", "category": [LAB_CATEGORY],
        "code": {"coding": [{"system": LOINC, "code": loinc}], "text": text},
        "subject": _subject(patient_id), "effectiveDateTime": instant(day, 8),
        "valueQuantity": quantity(value),
        "referenceRange": [{"low": quantity(low), "high": quantity(high)}],
    }


def body_weight(rid: str, patient_id: str, day: date, kg: float) -> Resource:
    return {
        "resourceType": "Observation", "id": rid, "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "vital-signs"}]}],
        "code": {"coding": [{"system": LOINC, "code": "29463-7"}], "text": "Body weight"},
        "subject": _subject(patient_id), "effectiveDateTime": instant(day, 8),
        "valueQuantity": {"value": kg, "unit": "kg", "system": UCUM, "code": "kg"},
    }


def performance(rid: str, patient_id: str, day: date, scale: str, score: int) -> Resource:
    code, text = ("89247-1", "ECOG performance status") if scale == "ecog" else ("89243-0", "Karnofsky score")
    return {
        "resourceType": "Observation", "id": rid, "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}], "text": text},
        "subject": _subject(patient_id), "effectiveDateTime": instant(day, 9), "valueInteger": score,
    }


def body_structure(rid: str, patient_id: str, site: str) -> Resource:
    return {"resourceType": "BodyStructure", "id": rid, "location": {"text": site},
            "patient": _subject(patient_id)}


def lesion(rid: str, patient_id: str, day: date, focus: str, size_mm: float, role: str = "target") -> Resource:
    return {
        "resourceType": "Observation", "id": rid, "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "21889-1"}], "text": "Size Tumor"},
        "subject": _subject(patient_id), "effectiveDateTime": instant(day, 11),
        "focus": [{"reference": f"BodyStructure/{focus}"}],
        "component": [
            {"code": {"coding": [{"system": LOINC, "code": "33728-7"}]},
             "valueQuantity": {"value": size_mm, "unit": "mm", "system": UCUM, "code": "mm"}},
            {"code": {"coding": [{"system": RECIST, "code": "lesion-role"}]},
             "valueCodeableConcept": {"coding": [{"system": RECIST, "code": role}]}},
        ],
    }


def bundle(resources: list[Resource]) -> Resource:
    return {
        "resourceType": "Bundle", "type": "collection",
        "entry": [{"fullUrl": f"{BASE_URL}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
    }


# --- the treatment context checked before a cycle, and post-therapy dosimetry -------------------------
DOSIMETRY = "urn:prrt-cds:dosimetry"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"


def _medication(text: str) -> Resource:
    return {"text": text}


def medication_statement(rid: str, patient_id: str, text: str, last_taken: datetime) -> Resource:
    """A medication the patient takes, with the date it was last taken (``effectivePeriod.end``)."""
    return {"resourceType": "MedicationStatement", "id": rid, "status": "active",
            "medicationCodeableConcept": _medication(text), "subject": _subject(patient_id),
            "effectivePeriod": {"end": _instant_text(last_taken)}}


def medication_administration(rid: str, patient_id: str, text: str, given: datetime) -> Resource:
    return {"resourceType": "MedicationAdministration", "id": rid, "status": "completed",
            "medicationCodeableConcept": _medication(text), "subject": _subject(patient_id),
            "effectiveDateTime": _instant_text(given)}


def _instant_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def pregnancy_test(rid: str, patient_id: str, day: date) -> Resource:
    """A negative urine hCG (LOINC 2106-3, SNOMED 260385009 Negative)."""
    return {"resourceType": "Observation", "id": rid, "status": "final", "category": [LAB_CATEGORY],
            "code": {"coding": [{"system": LOINC, "code": "2106-3"}], "text": "hCG [Presence] in Urine"},
            "subject": _subject(patient_id), "effectiveDateTime": instant(day, 8),
            "valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "260385009", "display": "Negative"}]}}


def condition(rid: str, patient_id: str, snomed: str, text: str, onset: date) -> Resource:
    return {"resourceType": "Condition", "id": rid,
            "clinicalStatus": {"coding": [{"system": CLINICAL_STATUS, "code": "active"}]},
            "code": {"coding": [{"system": SNOMED, "code": snomed}], "text": text},
            "subject": _subject(patient_id), "onsetDateTime": onset.isoformat()}


def dosimetry(rid: str, patient_id: str, day: date, organ: str, dose_gy: float, administration: str,
              half_life_h: float | None = None, gy_per_gbq: float | None = None) -> Resource:
    """A post-therapy absorbed dose (``organ``: ``kidney`` or ``bone-marrow``) of one administration."""
    out: Resource = {
        "resourceType": "Observation", "id": rid, "status": "final",
        "code": {"coding": [{"system": DOSIMETRY, "code": f"{organ}-absorbed-dose"}],
                 "text": f"{organ.replace('-', ' ')} absorbed dose"},
        "subject": _subject(patient_id), "effectiveDateTime": instant(day, 12),
        "partOf": [{"reference": f"Procedure/{administration}"}],
        "valueQuantity": {"value": dose_gy, "unit": "Gy", "system": UCUM, "code": "Gy"},
    }
    components = []
    if half_life_h is not None:
        components.append({"code": {"coding": [{"system": DOSIMETRY, "code": "effective-half-life"}]},
                           "valueQuantity": {"value": half_life_h, "unit": "h", "system": UCUM, "code": "h"}})
    if gy_per_gbq is not None:
        components.append({"code": {"coding": [{"system": DOSIMETRY, "code": "absorbed-dose-per-activity"}]},
                           "valueQuantity": {"value": gy_per_gbq, "unit": "Gy/GBq", "system": UCUM,
                                             "code": "Gy/GBq"}})
    if components:
        out["component"] = components
    return out
