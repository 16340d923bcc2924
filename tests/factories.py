"""Small builders of FHIR R4 JSON (plain dicts) for tests and examples.

Each function returns one resource in the shape of docs/fhir-input-profile.md; keyword arguments
switch on the optional parts (periods, ``issued`` only, reference ranges, interpretations, ...), so a
test states only what it is about. Nothing here imports ``cds``: the data does not depend on the code
under test.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from typing import Any

Resource = dict[str, Any]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
RECIST = "urn:prrt-cds:recist"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
ACTIVITY_URL = "urn:prrt-cds:administered-activity"
DOSIMETRY = "urn:prrt-cds:dosimetry"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
# The kidney risk factors of docs/fhir-input-profile.md (SNOMED CT).
HYPERTENSION, DIABETES = "38341003", "73211009"

# One preferred LOINC code per analyte key of fhir_mappings/analytes.toml, for readable tests.
LAB_LOINC = {
    "hemoglobin": "718-7",
    "wbc": "6690-2",
    "neutrophils": "751-8",
    "neutrophils_pct": "770-8",
    "lymphocytes": "731-0",
    "lymphocytes_pct": "736-9",
    "platelets": "777-3",
    "creatinine": "2160-0",
    "bilirubin": "1975-2",
    "albumin": "1751-7",
    "ast": "1920-8",
    "alt": "1742-6",
    "calcium": "17861-6",
    "glucose": "2345-7",
    "inr": "6301-6",
}

_UNSET: Any = object()


def ref(resource: Resource) -> str:
    """``ResourceType/id`` of a resource built here."""
    return f"{resource['resourceType']}/{resource['id']}"


def coding(system: str, code: str, display: str | None = None) -> Resource:
    out: Resource = {"system": system, "code": code}
    if display is not None:
        out["display"] = display
    return out


def concept(system: str | None, code: str | None, text: str | None = None) -> Resource:
    out: Resource = {}
    if system is not None and code is not None:
        out["coding"] = [coding(system, code)]
    if text is not None:
        out["text"] = text
    return out


def quantity(value: Any, unit: str | None, *, ucum: bool = True, text: str | None = None) -> Resource:
    """A Quantity. ``ucum=True``: the unit is the UCUM ``code`` (and the ``unit`` text unless ``text``
    says otherwise); ``ucum=False``: only the ``unit`` text is given (a non-UCUM spelling)."""
    out: Resource = {"value": value}
    if unit is None:
        return out
    out["unit"] = text if text is not None else unit
    if ucum:
        out["system"] = UCUM
        out["code"] = unit
    return out


def patient(
    pid: str = "p1",
    *,
    gender: str | None = "female",
    birth_date: str | None = "1962-05-14",
    deceased_date: str | None = None,
    deceased: bool | None = None,
    **extra: Any,
) -> Resource:
    out: Resource = {"resourceType": "Patient", "id": pid}
    if gender is not None:
        out["gender"] = gender
    if birth_date is not None:
        out["birthDate"] = birth_date
    if deceased_date is not None:
        out["deceasedDateTime"] = deceased_date
    if deceased is not None:
        out["deceasedBoolean"] = deceased
    out.update(extra)
    return out


def _subject(patient_ref: str | None) -> Resource:
    return {} if patient_ref is None else {"subject": {"reference": patient_ref}}


def _timing(when: str | None, how: str, prefix: str = "effective") -> Resource:
    """``how``: ``dateTime`` (xDateTime), ``period`` (xPeriod.start), ``issued`` (issued only)."""
    if when is None:
        return {}
    if how == "dateTime":
        return {f"{prefix}DateTime": when}
    if how == "period":
        return {f"{prefix}Period": {"start": when}}
    if how == "issued":
        return {"issued": when}
    raise ValueError(how)


def observation(
    oid: str,
    code: Resource,
    *,
    patient: str | None = "Patient/p1",
    when: str | None = "2024-01-02T08:00:00Z",
    timing: str = "dateTime",
    status: str = "final",
    **elements: Any,
) -> Resource:
    """A bare Observation; ``elements`` are added as they are (value[x], component, focus, ...)."""
    out: Resource = {"resourceType": "Observation", "id": oid, "status": status, "code": code}
    out.update(_subject(patient))
    out.update(_timing(when, timing))
    out.update(elements)
    return out


def lab(
    oid: str,
    analyte: str,
    value: Any = _UNSET,
    unit: str | None = None,
    *,
    loinc: str | None = None,
    ucum: bool = True,
    low: float | None = None,
    high: float | None = None,
    range_unit: str | None = _UNSET,
    interpretation: str | None = None,
    specimen: str | None = None,
    patient: str | None = "Patient/p1",
    when: str | None = "2024-01-02T08:00:00Z",
    timing: str = "dateTime",
    status: str = "final",
    **elements: Any,
) -> Resource:
    """A laboratory Observation. ``analyte`` is a key of ``LAB_LOINC`` (or give ``loinc``).

    ``low``/``high`` build ``referenceRange[0]`` in ``range_unit`` (default: the value's unit; ``None``:
    a range without a unit). Leaving ``value`` out builds an Observation without ``valueQuantity``.
    """
    code = loinc or LAB_LOINC[analyte]
    out = observation(
        oid,
        {"coding": [coding(LOINC, code)], "text": analyte},
        patient=patient,
        when=when,
        timing=timing,
        status=status,
    )
    out["category"] = [concept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory")]
    if value is not _UNSET:
        out["valueQuantity"] = quantity(value, unit, ucum=ucum)
    if low is not None or high is not None:
        r_unit = unit if range_unit is _UNSET else range_unit
        limits: Resource = {}
        if low is not None:
            limits["low"] = quantity(low, r_unit, ucum=ucum)
        if high is not None:
            limits["high"] = quantity(high, r_unit, ucum=ucum)
        out["referenceRange"] = [limits]
    if interpretation is not None:
        out["interpretation"] = [concept(INTERPRETATION, interpretation)]
    if specimen is not None:
        out["specimen"] = {"reference": specimen}
    out.update(elements)
    return out


def procedure(
    pid: str,
    when: str | None = "2024-01-08",
    *,
    patient: str | None = "Patient/p1",
    activity: float | None = 7.4,
    activity_unit: str = "GBq",
    snomed: str | None = "399315003",
    text: str | None = "Lutetium Lu 177 dotatate (Lutathera) infusion",
    status: str = "completed",
    timing: str = "dateTime",
    **elements: Any,
) -> Resource:
    """A PRRT Procedure, shape (a); the activity is in the project extension."""
    out: Resource = {"resourceType": "Procedure", "id": pid, "status": status}
    out["code"] = concept(SNOMED if snomed else None, snomed, text)
    out.update(_subject(patient))
    out.update(_timing(when, timing, prefix="performed"))
    if activity is not None:
        out["extension"] = [{"url": ACTIVITY_URL, "valueQuantity": quantity(activity, activity_unit)}]
    out.update(elements)
    return out


def medication(mid: str, *, rxnorm: str | None = "1999682", text: str | None = "Lutathera") -> Resource:
    return {
        "resourceType": "Medication",
        "id": mid,
        "code": concept(RXNORM if rxnorm else None, rxnorm, text),
    }


def medication_administration(
    mid: str,
    when: str | None = "2024-01-08T09:30:00Z",
    *,
    patient: str | None = "Patient/p1",
    dose: float | None = 7.4,
    dose_unit: str = "GBq",
    rxnorm: str | None = "1999682",
    text: str | None = "lutetium Lu 177 dotatate",
    medication_ref: str | None = None,
    part_of: str | None = None,
    status: str = "completed",
    timing: str = "dateTime",
    **elements: Any,
) -> Resource:
    """A PRRT MedicationAdministration, shape (b): ``medicationCodeableConcept`` unless
    ``medication_ref`` names a Medication; ``dosage.dose`` is the activity."""
    out: Resource = {"resourceType": "MedicationAdministration", "id": mid, "status": status}
    if medication_ref is not None:
        out["medicationReference"] = {"reference": medication_ref}
    else:
        out["medicationCodeableConcept"] = concept(RXNORM if rxnorm else None, rxnorm, text)
    out.update(_subject(patient))
    out.update(_timing(when, timing))
    if dose is not None:
        out["dosage"] = {"dose": quantity(dose, dose_unit)}
    if part_of is not None:
        out["partOf"] = [{"reference": part_of}]
    out.update(elements)
    return out


def medication_record(
    mid: str,
    kind: str,
    text: str | None,
    when: str | None,
    *,
    patient: str | None = "Patient/p1",
    status: str | None = None,
    rxnorm: str | None = None,
    volume_ml: float | None = None,
    timing: str = "dateTime",
    **elements: Any,
) -> Resource:
    """A medication of the treatment context checked before a cycle (a somatostatin analogue, the amino
    acids): ``kind`` MedicationAdministration, MedicationStatement or MedicationRequest, dated by
    effectiveDateTime / effectivePeriod (``timing="period-end"`` or ``"period-open"``) or authoredOn; the
    status defaults to completed / completed / active. ``volume_ml`` is a dose in mL."""
    default = {"MedicationAdministration": "completed", "MedicationStatement": "completed",
               "MedicationRequest": "active"}[kind]
    out: Resource = {"resourceType": kind, "id": mid}
    chosen = default if status is None else status
    if chosen:  # "" leaves the status out
        out["status"] = chosen
    if kind == "MedicationRequest":
        out["intent"] = "order"
    out["medicationCodeableConcept"] = concept(RXNORM if rxnorm else None, rxnorm, text)
    out.update(_subject(patient))
    if when is not None:
        if kind == "MedicationRequest":
            out["authoredOn"] = when
        elif timing == "period-end":
            out["effectivePeriod"] = {"start": when, "end": when}
        elif timing == "period-open":
            out["effectivePeriod"] = {"start": when}
        else:
            out["effectiveDateTime"] = when
    if volume_ml is not None:
        dose = quantity(volume_ml, "mL")
        if kind == "MedicationAdministration":
            out["dosage"] = {"dose": dose}
        elif kind == "MedicationStatement":
            out["dosage"] = [{"doseAndRate": [{"doseQuantity": dose}]}]
        else:
            out["dosageInstruction"] = [{"doseAndRate": [{"doseQuantity": dose}]}]
    out.update(elements)
    return out


# Pregnancy status (LOINC 82810-3) and hCG tests (docs/fhir-input-profile.md).
PREGNANCY_STATUS, URINE_HCG, SERUM_HCG, SERUM_BETA_HCG = "82810-3", "2106-3", "2118-8", "21198-7"
PREGNANT, NOT_PREGNANT, POSITIVE, NEGATIVE = "77386006", "60001007", "10828004", "260385009"


def pregnancy_observation(oid: str, loinc: str, answer: str | None = None, *, value: float | None = None,
                          unit: str = "[IU]/L", **kw: Any) -> Resource:
    """A pregnancy status (answer a SNOMED CT code), a qualitative hCG test (answer positive / negative
    code) or a quantitative beta-hCG (``value`` in ``unit``)."""
    elements: Resource = {}
    if answer is not None:
        elements["valueCodeableConcept"] = concept(SNOMED, answer)
    if value is not None:
        elements["valueQuantity"] = quantity(value, unit)
    return observation(oid, concept(LOINC, loinc), **elements, **kw)


# ECOG / Karnofsky answer codes (LOINC answer lists LL529-9 and LL4986-7).
ECOG_ANSWERS = {0: "LA9622-7", 1: "LA9623-5", 2: "LA9624-3", 3: "LA9625-0", 4: "LA9626-8", 5: "LA9627-6"}
KARNOFSKY_ANSWERS = {
    100: "LA29175-9",
    90: "LA29176-7",
    80: "LA29177-5",
    70: "LA29178-3",
    60: "LA29179-1",
    50: "LA29180-9",
    40: "LA29181-7",
    30: "LA29182-5",
    20: "LA29183-3",
    10: "LA29184-1",
}


def _performance(
    oid: str, loinc: str, answers: dict[int, str], score: int, shape: str, **kw: Any
) -> Resource:
    """``shape``: ``integer`` (valueInteger), ``answer`` (valueCodeableConcept), ``interpretation``
    (only an interpretation), ``mcode`` (valueInteger plus the interpretation, as mCODE STU2+)."""
    elements: Resource = {}
    answer = concept(LOINC, answers[score]) if score in answers else None
    if shape in ("integer", "mcode"):
        elements["valueInteger"] = score
    if shape == "answer":
        elements["valueCodeableConcept"] = answer
    if shape in ("interpretation", "mcode"):
        elements["interpretation"] = [answer]
    if not elements:
        raise ValueError(shape)
    return observation(oid, concept(LOINC, loinc), **kw, **elements)


def ecog(oid: str, score: int, shape: str = "integer", **kw: Any) -> Resource:
    return _performance(oid, "89247-1", ECOG_ANSWERS, score, shape, **kw)


def karnofsky(oid: str, score: int, shape: str = "integer", **kw: Any) -> Resource:
    return _performance(oid, "89243-0", KARNOFSKY_ANSWERS, score, shape, **kw)


def body_weight(oid: str, value: float, unit: str = "kg", **kw: Any) -> Resource:
    return observation(
        oid, concept(LOINC, "29463-7", "Body weight"), valueQuantity=quantity(value, unit), **kw
    )


def body_height(oid: str, value: float, unit: str = "cm", **kw: Any) -> Resource:
    return observation(
        oid, concept(LOINC, "8302-2", "Body height"), valueQuantity=quantity(value, unit), **kw
    )


def body_structure(bid: str, text: str, *, patient: str = "Patient/p1") -> Resource:
    return {
        "resourceType": "BodyStructure",
        "id": bid,
        "location": {"text": text},
        "patient": {"reference": patient},
    }


def _role(role: str) -> Resource:
    return {"code": concept(RECIST, "lesion-role"), "valueCodeableConcept": concept(RECIST, role)}


def lesion(
    oid: str,
    size: float,
    unit: str = "mm",
    *,
    shape: str = "panel",
    focus: str | None = "BodyStructure/lesion-1",
    body_site: str | None = None,
    role: str | None = "target",
    lymph_node: bool | None = None,
    **kw: Any,
) -> Resource:
    """A lesion measurement. ``shape``: ``panel`` (LOINC 21889-1, size in component 33728-7) or
    ``direct`` (LOINC 33728-7 with ``valueQuantity``). Identity by ``focus``, else ``body_site`` text."""
    size_q = quantity(size, unit)
    components: list[Resource] = []
    elements: Resource = {}
    if shape == "panel":
        code = concept(LOINC, "21889-1", "Size Tumor")
        components.append({"code": concept(LOINC, "33728-7"), "valueQuantity": size_q})
    elif shape == "direct":
        code = concept(LOINC, "33728-7", "Size.maximum dimension in Tumor")
        elements["valueQuantity"] = size_q
    else:
        raise ValueError(shape)
    if role is not None:
        components.append(_role(role))
    if lymph_node is not None:
        components.append({"code": concept(RECIST, "lymph-node"), "valueBoolean": lymph_node})
    if components:
        elements["component"] = components
    if focus is not None:
        elements["focus"] = [{"reference": focus}]
    if body_site is not None:
        elements["bodySite"] = {"text": body_site}
    return observation(oid, code, **elements, **kw)


def non_target_status(oid: str, status: str, focus: str = "BodyStructure/nt-1", **kw: Any) -> Resource:
    return observation(
        oid,
        concept(RECIST, "non-target-status"),
        valueCodeableConcept=concept(RECIST, status),
        focus=[{"reference": focus}],
        **kw,
    )


def new_lesion(oid: str, present: bool = True, focus: str | None = None, **kw: Any) -> Resource:
    elements: Resource = {"valueBoolean": present}
    if focus is not None:
        elements["focus"] = [{"reference": focus}]
    return observation(oid, concept(RECIST, "new-lesion"), **elements, **kw)


def timepoint_response(oid: str, response: str, **kw: Any) -> Resource:
    return observation(
        oid, concept(RECIST, "timepoint-response"), valueCodeableConcept=concept(RECIST, response), **kw
    )


def bundle(resources: Iterable[Resource], kind: str = "collection", *, full_urls: bool = True) -> Resource:
    """A Bundle of ``kind`` holding copies of ``resources`` (fullUrl ``http://example.org/fhir/Type/id``)."""
    entries = []
    for resource in resources:
        entry: Resource = {"resource": copy.deepcopy(resource)}
        if full_urls:
            entry["fullUrl"] = f"http://example.org/fhir/{ref(resource)}"
        entries.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def uuid_for(resource: Resource) -> str:
    """A stable uuid for a resource (the same for the same ``Type/id``)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, ref(resource)))


def _rewrite_references(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            k: (
                mapping.get(v, v)
                if k == "reference" and isinstance(v, str)
                else _rewrite_references(v, mapping)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rewrite_references(v, mapping) for v in value]
    return value


def transaction_bundle(resources: Iterable[Resource], *, keep_ids: bool = False) -> Resource:
    """A transaction Bundle as a client POSTs it (Synthea's shape): every entry has an ``urn:uuid:``
    fullUrl and a ``request``, references between the entries are ``urn:uuid:`` too, and (unless
    ``keep_ids``) the resources carry no ``id``."""
    items = list(resources)
    mapping = {ref(r): f"urn:uuid:{uuid_for(r)}" for r in items}
    entries = []
    for resource in items:
        body = _rewrite_references(copy.deepcopy(resource), mapping)
        if not keep_ids:
            body.pop("id", None)
        entries.append(
            {
                "fullUrl": mapping[ref(resource)],
                "resource": body,
                "request": {"method": "POST", "url": resource["resourceType"]},
            }
        )
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def dosimetry(
    oid: str,
    dose: Any,
    unit: str | None = "Gy",
    *,
    organ: str = "kidney-absorbed-dose",
    half_life: Any = None,
    half_life_unit: str = "h",
    per_activity: Any = None,
    per_activity_unit: str = "Gy/GBq",
    part_of: str | None = None,
    derived_from: str | None = None,
    body_site: Resource | None = None,
    **kw: Any,
) -> Resource:
    """A post-therapy dosimetry Observation (``urn:prrt-cds:dosimetry``): the absorbed dose in
    ``valueQuantity``, the effective half-life and Gy/GBq as components, the cycle by ``partOf`` or
    ``derivedFrom`` (a reference to the administration)."""
    elements: Resource = {}
    if dose is not _UNSET:
        elements["valueQuantity"] = quantity(dose, unit)
    components = []
    if half_life is not None:
        components.append({"code": concept(DOSIMETRY, "effective-half-life"),
                           "valueQuantity": quantity(half_life, half_life_unit)})
    if per_activity is not None:
        components.append({"code": concept(DOSIMETRY, "absorbed-dose-per-activity"),
                           "valueQuantity": quantity(per_activity, per_activity_unit)})
    if components:
        elements["component"] = components
    if part_of is not None:
        elements["partOf"] = [{"reference": part_of}]
    if derived_from is not None:
        elements["derivedFrom"] = [{"reference": derived_from}]
    if body_site is not None:
        elements["bodySite"] = body_site
    return observation(oid, concept(DOSIMETRY, organ), **elements, **kw)


def condition(
    cid: str,
    snomed: str,
    *,
    patient: str | None = "Patient/p1",
    clinical_status: str | None = "active",
    verification: str | None = None,
    text: str | None = None,
) -> Resource:
    """A Condition coded in SNOMED CT with its clinical (and verification) status."""
    out: Resource = {"resourceType": "Condition", "id": cid, "code": concept(SNOMED, snomed, text)}
    out.update(_subject(patient))
    if clinical_status is not None:
        out["clinicalStatus"] = concept(CONDITION_CLINICAL, clinical_status)
    if verification is not None:
        out["verificationStatus"] = concept(CONDITION_VERIFICATION, verification)
    return out
