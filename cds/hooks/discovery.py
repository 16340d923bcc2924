"""The two CDS services, their hooks, and the prefetch templates that bring what the rules read.

CDS Hooks 2.0.1 "Discovery" and "Prefetch Template". Both services evaluate the same record, so
they ask for the same data; each template stays within the spec's recommended query subset (a type
search by patient reference with token equality, or an instance read). The codes are read from the
tables the rules use, so a code added to ``fhir_mappings/`` is asked for without a code change:

- labs: every LOINC code of every analyte a CTCAE term grades, of the analytes the Lutathera dose
  rules read (creatinine clearance, INR, ...), and of the percent differentials that become absolute
  counts with a WBC;
- administrations: completed Procedures and MedicationAdministrations of the patient (not filtered by
  code: a PRRT record may be recognised by its text only, fhir-input-profile.md);
- the Patient, body weight (Cockcroft-Gault), performance status, tumour assessments (RECIST 1.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from cds.ctcae.table import table as ctcae_table
from cds.dose.schedule import planned_course
from cds.evaluation import DEFAULT_CTCAE_VERSION
from cds.tables import analytes, codes

TOXICITY = "prrt-toxicity"
DOSE_CHECK = "prrt-dose-check"
PATIENT_TOKEN = "{{context.patientId}}"


@dataclass(frozen=True)
class Template:
    """One prefetch template; ``required``: without its data no recommendation is given (412)."""

    key: str
    query: str
    required: bool
    label: str  # what the data is, in a clinician's words (named on a card when it is missing)

    @property
    def is_read(self) -> bool:
        return "?" not in self.query


@dataclass(frozen=True)
class Service:
    id: str
    hooks: tuple[str, ...]
    title: str
    description: str
    usage: str


def _codes(system: str, values: list[str]) -> str:
    return ",".join(f"{system}|{value}" for value in values)


def lab_analytes() -> list[str]:
    """The analyte keys the rules read, with the percent differentials that feed them."""
    needed = {term.analyte for term in ctcae_table(DEFAULT_CTCAE_VERSION).terms}
    needed |= set(planned_course().required_analytes) | {"creatinine_clearance", "inr"}
    table = analytes().analytes
    percent = {key for key, analyte in table.items() if analyte.absolute_analyte in needed}
    partners = {p for key in percent if (p := table[key].percent_of) is not None}
    return sorted(needed | percent | partners)


@cache
def templates() -> tuple[Template, ...]:
    code_table = codes()
    loinc, recist = code_table.system("loinc"), code_table.system("recist")
    labs = [code for key in lab_analytes() for code in analytes().analytes[key].loinc]
    tumour = code_table.section("tumour")
    observation = f"Observation?patient={PATIENT_TOKEN}&code="
    return (
        Template("patient", f"Patient/{PATIENT_TOKEN}", True, "patient record"),
        Template("labs", observation + _codes(loinc, labs), True, "laboratory results"),
        Template("procedures", f"Procedure?patient={PATIENT_TOKEN}&status=completed", True,
                 "PRRT procedures"),
        Template("medicationAdministrations", f"MedicationAdministration?patient={PATIENT_TOKEN}&status=completed",
                 True, "medication administrations"),
        Template("bodyWeight", observation + _codes(loinc, list(code_table.section("body_weight")["loinc"])), False,
                 "body weight"),
        Template("performanceStatus", observation + _codes(
            loinc, [code_table.section("ecog")["loinc"], code_table.section("karnofsky")["loinc"]]), False,
            "performance status"),
        Template("tumourAssessments", observation + ",".join([
            _codes(loinc, [tumour["tumor_size_loinc"], tumour["longest_diameter_loinc"]]),
            _codes(recist, [tumour["non_target_status_code"], tumour["new_lesion_code"],
                            tumour["timepoint_response_code"]]),
        ]), False, "tumour assessments"),
    )


SERVICES: dict[str, Service] = {
    TOXICITY: Service(
        id=TOXICITY, hooks=("patient-view",), title="PRRT toxicity and next-cycle recommendation",
        description="For a patient treated with 177Lu-DOTATATE (Lutathera): the current cycle, the worst CTCAE "
                    "v5.0 grade per laboratory term in it, the latest RECIST 1.1 response, and the dose "
                    "recommendation for the next cycle, with the evidence.",
        usage="Answers with no card for a patient without a recorded PRRT administration.",
    ),
    DOSE_CHECK: Service(
        id=DOSE_CHECK, hooks=("order-select", "order-sign"), title="Lutathera dose check",
        description="When a Lutathera order (MedicationRequest or ServiceRequest) is drafted: whether the cycle "
                    "should be withheld, reduced to 3.7 GBq or discontinued, or needs laboratory results first, "
                    "with suggestions that change or remove the order.",
        usage="No card when the order agrees with the Lutathera dose-modification rules.",
    ),
}


def discovery_document() -> dict[str, Any]:
    """GET /cds-services: one entry per (service, hook); a service answering two hooks is listed twice
    with the same id (CDS Hooks 2.0.1 "Update stale guidance")."""
    prefetch = {t.key: t.query for t in templates()}
    return {
        "services": [
            {"hook": hook, "title": service.title, "description": service.description, "id": service.id,
             "prefetch": prefetch, "usageRequirements": service.usage}
            for service in SERVICES.values() for hook in service.hooks
        ]
    }
