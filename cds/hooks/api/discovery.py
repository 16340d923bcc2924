"""The discovery document and the prefetch templates that bring what the rules read.

CDS Hooks 2.0.1 "Discovery" and "Prefetch Template"; the services are the entries of
``cds.hooks.services.SERVICES``. Both services evaluate the same record, so they ask for the same data;
each template stays within the spec's recommended query subset (a type search by patient reference
with token equality, or an instance read). The codes are read from the tables the rules use,
so a code added to ``fhir_mappings/`` is asked for without a code change:

- labs: every LOINC code of every analyte a CTCAE term grades, of the analytes the Lutathera dose
  rules read (creatinine clearance, INR, ...), and of the percent differentials that become absolute
  counts with a WBC;
- administrations: completed Procedures and MedicationAdministrations of the patient (not filtered by
  code: a PRRT record may be recognised by its text only, fhir-input-profile.md);
- the Patient, body weight (Cockcroft-Gault), performance status, tumour assessments (RECIST 1.1);
- post-therapy dosimetry Observations and the Conditions that are kidney risk factors (the kidney
  dosimetry, rules/kidney_dosimetry.toml);
- the treatment context of the protocol checks: MedicationStatements, active MedicationRequests (not
  filtered by code: an analogue may be named by its text only) and the pregnancy Observations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from cds.ctcae.table import table as ctcae_table
from cds.dose.schedule import planned_course
from cds.evaluation import DEFAULT_CTCAE_VERSION
from cds.mapping.treatment import treatment_codes
from cds.tables import analytes, codes

if TYPE_CHECKING:
    from cds.hooks.services import CdsService

PATIENT_TOKEN = "{{context.patientId}}"


@dataclass(frozen=True)
class Template:
    """One prefetch template; ``required``: without its data no recommendation is given (412)."""

    key: str
    query: str
    required: bool
    label: str  # what the data is, in a clinician's words (named on a card when it is missing)
    # what the rules decide from it, when an optional template's data can change the next cycle's answer:
    # without that data the answer is "not fully checked" (a warning), never the silence or the info card
    # that read as "proceed" (cds.hooks.cards.incomplete). Empty: the data only informs (RECIST, ECOG).
    decides: str = ""

    @property
    def is_read(self) -> bool:
        return "?" not in self.query


def _codes(system: str, values: list[str]) -> str:
    return ",".join(f"{system}|{value}" for value in values)


def lab_analytes(ctcae_version: str = DEFAULT_CTCAE_VERSION) -> list[str]:
    """The analyte keys the rules read (CTCAE ``ctcae_version``), with the percent differentials that feed them
    and what a result is corrected with (a total calcium's albumin)."""
    needed = {term.analyte for term in ctcae_table(ctcae_version).terms}
    needed |= set(planned_course().required_analytes) | {"creatinine_clearance", "inr"}
    table = analytes().analytes
    needed |= {key for key, analyte in table.items() if analyte.also_graded_as in needed}  # fasting glucose
    percent = {key for key, analyte in table.items() if analyte.absolute_analyte in needed}
    partners = {p for key in percent if (p := table[key].percent_of) is not None}
    partners |= {c.analyte for key in needed if (c := table[key].corrected_for) is not None}  # albumin
    return sorted(needed | percent | partners)


@cache
def templates(ctcae_version: str = DEFAULT_CTCAE_VERSION) -> tuple[Template, ...]:
    code_table = codes()
    loinc, recist = code_table.system("loinc"), code_table.system("recist")
    labs = [code for key in lab_analytes(ctcae_version) for code in analytes().analytes[key].loinc]
    tumour = code_table.section("tumour")
    dosimetry = code_table.dosimetry
    observation = f"Observation?patient={PATIENT_TOKEN}&code="
    administration = code_table.section("administration")
    given = [*administration["completed_status"], *administration["stopped_status"]]
    return (
        Template("patient", f"Patient/{PATIENT_TOKEN}", True, "patient record"),
        Template("labs", observation + _codes(loinc, labs), True, "laboratory results"),
        # every status that counts: a completed cycle, one stopped before completion (counted, codes.toml),
        # and an analogue given or being given (treatment_context.toml)
        Template("procedures", f"Procedure?patient={PATIENT_TOKEN}&status={','.join(given)}", True,
                 "PRRT procedures"),
        Template("medicationAdministrations", f"MedicationAdministration?patient={PATIENT_TOKEN}&status="
                 f"{','.join(dict.fromkeys([*given, *sorted(treatment_codes().used_status['administration'])]))}",
                 True, "medication administrations"),
        # the treatment context checked before a cycle (cds.protocol): somatostatin analogues taken or
        # ordered, amino-acid orders, pregnancy status and tests (fhir_mappings/treatment_context.toml)
        Template("medicationStatements", f"MedicationStatement?patient={PATIENT_TOKEN}", False,
                 "medication statements", "the somatostatin analogue washout"),
        Template("medicationRequests", f"MedicationRequest?patient={PATIENT_TOKEN}&status=active", False,
                 "active medication orders", "the somatostatin analogue washout and the amino-acid order"),
        Template("pregnancy", observation + _codes(loinc, sorted(treatment_codes().pregnancy_loinc)), False,
                 "pregnancy status and tests", "whether pregnancy is excluded"),
        Template("bodyWeight", observation + _codes(loinc, list(code_table.section("body_weight")["loinc"])), False,
                 "body weight", "the Cockcroft-Gault creatinine clearance"),
        Template("performanceStatus", observation + _codes(
            loinc, [code_table.section("ecog")["loinc"], code_table.section("karnofsky")["loinc"]]), False,
            "performance status"),
        Template("tumourAssessments", observation + ",".join([
            _codes(loinc, [tumour["tumor_size_loinc"], tumour["longest_diameter_loinc"],
                           tumour["other_dimension_loinc"]]),
            _codes(recist, [tumour["non_target_status_code"], tumour["new_lesion_code"],
                            tumour["timepoint_response_code"]]),
        ]), False, "tumour assessments"),
        Template("dosimetry", observation + _codes(
            dosimetry.system, [dosimetry.kidney_code, dosimetry.bone_marrow_code]), False, "post-therapy dosimetry",
            "the cumulative kidney dose"),
        Template("kidneyRiskFactors", f"Condition?patient={PATIENT_TOKEN}&code=" + _codes(
            dosimetry.snomed, sorted(dosimetry.risk_factors)), False, "kidney risk factors (hypertension, diabetes)",
            "the kidney dose limits in force (the stricter ones are applied)"),
    )


def discovery_document(services: Iterable[CdsService] | None = None,
                       ctcae_version: str = DEFAULT_CTCAE_VERSION) -> dict[str, Any]:
    """GET /cds-services: one entry per (service, hook) of ``services`` (default: the registry); a service
    answering two hooks is listed twice with the same id (CDS Hooks 2.0.1 "Update stale guidance"). The
    descriptions name ``ctcae_version``, the CTCAE table the service grades with."""
    if services is None:
        from cds.hooks.services import SERVICES  # the registry imports this module (templates)

        services = SERVICES.values()
    return {
        "services": [
            {"hook": hook, "title": service.title, "description": service.describe(ctcae_version), "id": service.id,
             "prefetch": {t.key: t.query for t in service.prefetch(ctcae_version)}, "usageRequirements": service.usage}
            for service in services for hook in service.hooks
        ]
    }
