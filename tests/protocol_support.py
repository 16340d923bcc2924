"""What the protocol-check tests read of a mapped patient "Patient/p1" (its treatment records, its
pregnancy evidence and the messages of its issues), and the checks before cycle 3 of a standard course."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx

from cds.evaluation import evaluate_collected
from cds.facts import PregnancyEvidence, TreatmentRecord
from cds.mapping import Mapped
from cds.protocol.conclusions import ProtocolCheck
from cds.reading import from_objects

MA, MS, MR = "MedicationAdministration", "MedicationStatement", "MedicationRequest"


def treatment(mapped: Mapped) -> list[TreatmentRecord]:
    return mapped.records["Patient/p1"].treatment


def pregnancy(mapped: Mapped) -> list[PregnancyEvidence]:
    return mapped.records["Patient/p1"].pregnancy


def messages(mapped: Mapped) -> list[str]:
    return [i.message for i in mapped.records["Patient/p1"].issues]


def cycle_3_checks(*resources: dict[str, Any], as_of: date = date(2024, 4, 29)) -> list[ProtocolCheck]:
    """The checks before cycle 3 of a woman born 1990 with cycles on 2024-01-08 and 2024-03-04, beside
    ``resources``, evaluated on ``as_of``."""
    base = [fx.patient(birth_date="1990-06-01"), fx.procedure("c1", "2024-01-08"), fx.procedure("c2", "2024-03-04")]
    (patient,) = evaluate_collected(from_objects([*base, *resources]), as_of).patients
    checks = patient.protocol_checks
    assert checks is not None and checks.cycle == 3
    return list(checks.checks)
