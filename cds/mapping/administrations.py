"""Procedure / MedicationAdministration -> ``Administration`` (one PRRT treatment record).

(a) Procedure, status completed, SNOMED 399315003 / 440252007 or a text naming lutetium-177 and
DOTATATE; activity in the ``urn:prrt-cds:administered-activity`` extension.
(b) MedicationAdministration, status completed, RxNorm 1999682 / 1999687 or a text naming Lutathera;
activity in ``dosage.dose``; ``partOf`` a Procedure gives that Procedure its activity.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cds.facts import Administration
from cds.mapping.fhir import (
    Unusable,
    codings,
    concept_text,
    effective_span,
    has_time,
    items,
    quantity,
    ref_of,
    reference,
)
from cds.tables import CodeTable

Resource = Mapping[str, Any]


def _names(text: str, words: list[str]) -> bool:
    """Whether one of ``words`` stands in ``text`` as a word of its own: "y-90" in "after Y-90 SIRT",
    not in "restaging at day-90"."""
    return any(re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) for word in words)


def names_other_agent(concept: Any, table: CodeTable) -> bool:
    """Whether the text names a radiopharmaceutical other than 177Lu-DOTATATE (e.g. Lu-PSMA, I-131)."""
    return _names(concept_text(concept), table.section("administration")["text_other_agents"])


def _coded(concept: Any, coded: set[str], system: str) -> bool:
    return any(sys == system and code in coded for sys, code in codings(concept))


def _text_names_prrt(concept: Any, table: CodeTable) -> bool:
    section = table.section("administration")
    text = concept_text(concept)
    if any(brand in text for brand in section["text_brand"]):
        return True
    return any(r in text for r in section["text_radionuclide"]) and any(p in text for p in section["text_peptide"])


def names_prrt(concept: Any, table: CodeTable, coded: set[str], system: str, *, generic: bool) -> bool:
    """Whether a CodeableConcept names a 177Lu-DOTATATE administration (by code or by text).

    A code of the product itself (RxNorm, ``generic`` false) decides on its own: free text beside it
    cannot take a Lutathera order out of the checks. The generic SNOMED codes (radionuclide therapy,
    administration of radiopharmaceutical) also cover other agents: such a record is a PRRT cycle when
    its text names 177Lu-DOTATATE, or names no other agent (as a word: "day-90" does not name Y-90).
    """
    if _coded(concept, coded, system):
        return not generic or _text_names_prrt(concept, table) or not names_other_agent(concept, table)
    return _text_names_prrt(concept, table)


def is_prrt_procedure(resource: Resource, table: CodeTable) -> bool:
    section = table.section("administration")
    return names_prrt(resource.get("code"), table, set(section["procedure_snomed"]), table.system("snomed"),
                      generic=True)


def is_other_agent_procedure(resource: Resource, table: CodeTable) -> bool:
    """A Procedure with a generic radionuclide-therapy code whose text names another agent."""
    code = resource.get("code")
    coded = set(table.section("administration")["procedure_snomed"])
    return _coded(code, coded, table.system("snomed")) and not is_prrt_procedure(resource, table)


def is_prrt_medication(concept: Any, table: CodeTable) -> bool:
    section = table.section("administration")
    return names_prrt(concept, table, set(section["medication_rxnorm"]), table.system("rxnorm"), generic=False)


def _activity(value: Any, table: CodeTable) -> tuple[float | None, str | None]:
    """(GBq, text as reported) of an activity Quantity; raises Unusable for an unknown unit."""
    if value is None:
        return None, None
    number, unit = quantity(value)
    factor = unit.factor(table.activity_units)
    if factor is None:
        raise Unusable(f"activity unit {unit.text!r} is not convertible to GBq")
    return number * factor, f"{number:g} {unit.text}"


def _activity_kept(value: Any, table: CodeTable) -> tuple[float | None, str | None, str | None]:
    """(GBq, text as reported, problem): an activity that cannot be read leaves the cycle without one
    (never drops it: a cycle given must count towards the course and the kidney dose)."""
    try:
        activity, reported = _activity(value, table)
    except Unusable as exc:
        return None, None, f"{exc}: the cycle is kept with its activity not recorded"
    return activity, reported, None


STOPPED = ("administration stopped before completion: counted as a cycle given, with the activity recorded "
           "(check what was delivered)")


def _status_ok(resource: Resource, table: CodeTable) -> str | None:
    """None for a completed administration, the warning of one stopped before completion (counted: codes.toml
    ``stopped_status``); raises Unusable for any other status."""
    section, status = table.section("administration"), resource.get("status")
    if not isinstance(status, str):
        raise Unusable("administration not completed: ignored")
    if status in section["completed_status"]:
        return None
    if status in section["stopped_status"]:
        return STOPPED
    raise Unusable("administration not completed: ignored")


def _problems(*problems: str | None) -> str | None:
    kept = [p for p in problems if p is not None]
    return "; ".join(kept) if kept else None


def map_procedure(resource: Resource, patient: str, table: CodeTable) -> tuple[Administration, str | None]:
    """The administration, and the problem of its activity when it cannot be read."""
    stopped = _status_ok(resource, table)
    at, day, latest = effective_span(resource, "performedDateTime", "performedPeriod")
    timed = has_time(resource, "performedDateTime", "performedPeriod")
    url = table.section("administration")["activity_extension_url"]
    activity = reported = problem = None
    for extension in items(resource.get("extension")):
        if isinstance(extension, dict) and extension.get("url") == url:
            activity, reported, problem = _activity_kept(extension.get("valueQuantity"), table)
    ref = ref_of(resource)
    return Administration(
        ref=ref, patient=patient, at=at, day=day, latest_day=latest, time_known=timed, activity_gbq=activity,
        activity_reported=reported, sources=(ref,),
    ), _problems(stopped, problem)


def part_of_procedure(resource: Resource, aliases: Mapping[str, str]) -> str | None:
    """The Procedure a MedicationAdministration is ``partOf`` (the last one named), or None."""
    part_of = None
    for item in items(resource.get("partOf")):
        target = reference(item, aliases)
        if target and target.startswith("Procedure/"):
            part_of = target
    return part_of


def map_medication_administration(
    resource: Resource, patient: str, table: CodeTable, aliases: Mapping[str, str]
) -> tuple[Administration, str | None, str | None]:
    """The administration, the Procedure it is ``partOf`` (if any), and the problem of its activity
    when it cannot be read."""
    stopped = _status_ok(resource, table)
    at, day, latest = effective_span(resource, "effectiveDateTime", "effectivePeriod")
    timed = has_time(resource, "effectiveDateTime", "effectivePeriod")
    dosage = resource.get("dosage")
    dose = dosage.get("dose") if isinstance(dosage, dict) else None
    activity, reported, problem = _activity_kept(dose, table)
    part_of = part_of_procedure(resource, aliases)
    ref = ref_of(resource)
    fact = Administration(
        ref=ref, patient=patient, at=at, day=day, latest_day=latest, time_known=timed, activity_gbq=activity,
        activity_reported=reported, sources=(ref,),
    )
    return fact, part_of, _problems(stopped, problem)
