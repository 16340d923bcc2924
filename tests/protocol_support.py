"""What the protocol-check tests read of a mapped patient "Patient/p1": its treatment records, its
pregnancy evidence and the messages of its issues."""

from __future__ import annotations

from cds.facts import PregnancyEvidence, TreatmentRecord
from cds.mapping import Mapped

MA, MS, MR = "MedicationAdministration", "MedicationStatement", "MedicationRequest"


def treatment(mapped: Mapped) -> list[TreatmentRecord]:
    return mapped.records["Patient/p1"].treatment


def pregnancy(mapped: Mapped) -> list[PregnancyEvidence]:
    return mapped.records["Patient/p1"].pregnancy


def messages(mapped: Mapped) -> list[str]:
    return [i.message for i in mapped.records["Patient/p1"].issues]
