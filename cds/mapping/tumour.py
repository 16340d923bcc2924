"""Tumour assessments for RECIST 1.1: lesion measurements, non-target status, new lesions, responses.

Project code system ``urn:prrt-cds:recist``. Sizes: LOINC 33728-7 (longest dimension) and 33729-5
(mCODE TumorSize "other dimension": read as a lymph node's short axis). A measurement needs a lesion
identity (``focus`` reference, else ``bodySite``) and a role component (target / non-target / new);
without them it is an issue, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cds.facts import LesionMeasurement, NewLesion, NonTargetStatus, ReportedResponse, Tumour, UnreadableLesion
from cds.mapping.fhir import (
    Unusable,
    codings,
    effective_span,
    items,
    quantity,
    ref_of,
    reference,
    refuse_value_and_absent_reason,
)
from cds.tables import CodeTable

Resource = Mapping[str, Any]

def _when(resource: Resource) -> dict[str, Any]:
    """``at``, ``day`` and ``latest_day`` (the last day of a partial date: a month or a year) of a fact."""
    at, day, latest = effective_span(resource, "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
    return {"at": at, "day": day, "latest_day": latest}


def _lesion(resource: Resource, aliases: Mapping[str, str]) -> str | None:
    for item in items(resource.get("focus")):
        target = reference(item, aliases)
        if target:
            return target
    site = resource.get("bodySite")
    if isinstance(site, dict):
        if isinstance(site.get("text"), str) and site["text"].strip():
            return f"bodySite:{site['text'].strip()}"
        for system, code in codings(site):
            return f"bodySite:{system or ''}|{code}"
    return None


def _component(resource: Resource, system: str, code: str) -> dict[str, Any] | None:
    for component in items(resource.get("component")):
        if isinstance(component, dict) and (system, code) in codings(component.get("code")):
            return component
    return None


def _recist_code(concept: Any, system: str) -> str | None:
    for sys, code in codings(concept):
        if sys == system:
            return code
    return None


def organ_of(body_structure: Resource) -> str | None:
    """The organ of a tumour BodyStructure: its ``location`` (mCODE Tumor: 1..1, SNOMED body structure)."""
    location = body_structure.get("location")
    for system, code in codings(location):
        return f"{system or ''}|{code}"
    text = location.get("text") if isinstance(location, dict) else None
    return text.strip().lower() if isinstance(text, str) and text.strip() else None


def _components(resource: Resource, system: str, code: str) -> list[dict[str, Any]]:
    return [c for c in items(resource.get("component"))
            if isinstance(c, dict) and (system, code) in codings(c.get("code"))]


def _size_mm(source: Resource, table: CodeTable) -> float:
    """The ``valueQuantity`` of ``source`` in mm; Unusable for a unit that is not mm or cm, or a negative size."""
    number, unit = quantity(source.get("valueQuantity"))
    factor = unit.factor(table.tumour_units)
    if factor is None:
        raise Unusable(f"lesion size unit {unit.text!r} is not mm or cm")
    if unit.disagrees(table.tumour_units):  # as for laboratory results: a ten-fold error is not guessed away
        raise Unusable(f"lesion size unit code {unit.text!r} and unit text {unit.shown!r} name different units: "
                       "not used")
    if number < 0:
        raise Unusable("lesion size is negative")
    return number * factor


def _panel_size(resource: Resource, node: bool, table: CodeTable) -> float:
    """The size of a TumorSize panel (21889-1): the longest diameter (component 33728-7); for a lymph
    node its short axis (RECIST 1.1 §3.1.1), the panel's other dimension (component 33729-5) when it
    has one, else the value of 33728-7 (FHIR input profile: a node's value is its short axis)."""
    section, loinc = table.section("tumour"), table.system("loinc")
    longest = _component(resource, loinc, section["longest_diameter_loinc"])
    others = _components(resource, loinc, section["other_dimension_loinc"]) if node else []
    if len(others) > 1:
        raise Unusable("lymph node with more than one additional dimension (33729-5): which is the short axis is "
                       "not known; not used")
    if others:
        short = _size_mm(others[0], table)
        if longest is not None and short > _size_mm(longest, table):
            raise Unusable("lymph node short axis (33729-5) is longer than its longest dimension (33728-7): not used")
        return short
    if longest is None:
        raise Unusable("tumour size without a longest-diameter component (33728-7)")
    return _size_mm(longest, table)


def _measured_size(resource: Resource, node: bool, table: CodeTable) -> float:
    """The size a lesion measurement gives, in mm (see ``map_measurement``); Unusable when it gives none."""
    section, loinc = table.section("tumour"), table.system("loinc")
    code = set(codings(resource.get("code")))
    if (loinc, section["tumor_size_loinc"]) in code:
        return _panel_size(resource, node, table)
    if (loinc, section["longest_diameter_loinc"]) not in code and not node:
        raise Unusable("an additional tumour dimension (33729-5) of a lesion that is not a lymph node: RECIST 1.1 "
                       "measures it by its longest diameter (33728-7); not used")
    return _size_mm(resource, table)


def _unreadable(resource: Resource, patient: str, lesion: str | None, role: str | None,
                roles: list[str]) -> UnreadableLesion:
    return UnreadableLesion(ref=ref_of(resource), patient=patient, **_when(resource), lesion=lesion,
                            role=role if role in roles else None)


def map_measurement(
    resource: Resource, patient: str, table: CodeTable, aliases: Mapping[str, str],
    organs: Mapping[str, str] | None = None,
) -> tuple[Tumour, str | None]:
    """A lesion measurement: LOINC 21889-1 with component 33728-7 (and for a lymph node 33729-5), or
    33728-7 directly, or for a lymph node 33729-5 directly (its short axis); and a warning, if any.

    A measurement with the role "new" whose size cannot be used, or that names no lesion, is still a
    new lesion (RECIST 1.1 §4.3.5: its presence, not its size, is PD): a ``NewLesion`` and a warning
    saying its size is not used, never nothing (the time point would read PR or SD). Any other
    measurement that cannot be used is an ``UnreadableLesion`` (its lesion and role where known) with
    the reason as a warning, so that RECIST never reads a response from the other lesions alone."""
    section = table.section("tumour")
    recist = table.system("recist")
    node_component = _component(resource, recist, section["lymph_node_code"])
    node = bool(node_component and node_component.get("valueBoolean") is True)
    role_component = _component(resource, recist, section["lesion_role_code"])
    role = _recist_code(role_component.get("valueCodeableConcept"), recist) if role_component else None
    lesion = _lesion(resource, aliases)
    try:
        refuse_value_and_absent_reason(resource)
        size_mm = _measured_size(resource, node, table)
        if lesion is None:
            raise Unusable("lesion measurement without a lesion identity (focus or bodySite)")
    except Unusable as exc:
        if role == "new":
            return (NewLesion(ref=ref_of(resource), patient=patient, **_when(resource), lesion=lesion),
                    f"{exc}: the new lesion is recorded, its size is not used")
        return _unreadable(resource, patient, lesion, role, section["lesion_roles"]), str(exc)
    if role not in section["lesion_roles"]:
        return (_unreadable(resource, patient, lesion, role, section["lesion_roles"]),
                "lesion measurement without a lesion role (target, non-target or new)")
    return LesionMeasurement(
        ref=ref_of(resource), patient=patient, **_when(resource), lesion=lesion, organ=(organs or {}).get(lesion),
        role=role, lymph_node=node, size_mm=size_mm,
    ), None


def map_recist_observation(
    resource: Resource, code: str, patient: str, table: CodeTable, aliases: Mapping[str, str]
) -> Tumour | None:
    """Observations coded in ``urn:prrt-cds:recist``; None for a code this profile does not use."""
    section = table.section("tumour")
    recist = table.system("recist")
    ref = ref_of(resource)
    refuse_value_and_absent_reason(resource)
    if code == section["non_target_status_code"]:
        status = _recist_code(resource.get("valueCodeableConcept"), recist)
        lesion = _lesion(resource, aliases)
        if status not in section["non_target_statuses"]:
            raise Unusable("non-target status is not present, absent or unequivocal-progression")
        if lesion is None:
            raise Unusable("non-target status without a lesion identity (focus or bodySite)")
        return NonTargetStatus(ref=ref, patient=patient, **_when(resource), lesion=lesion, status=status)
    if code == section["new_lesion_code"]:
        if resource.get("valueBoolean") is not True:
            return None
        return NewLesion(ref=ref, patient=patient, **_when(resource), lesion=_lesion(resource, aliases))
    if code == section["timepoint_response_code"]:
        # FHIR input profile: CR, PR, SD, non-CR/non-PD, PD or NE, compared without regard to case.
        reported = _recist_code(resource.get("valueCodeableConcept"), recist)
        response = table.timepoint_responses.get(reported.lower()) if isinstance(reported, str) else None
        if response is None:
            raise Unusable(f"time-point response is not one of {', '.join(section['timepoint_responses'])}")
        return ReportedResponse(ref=ref, patient=patient, **_when(resource), response=response)
    return None
