"""prrt-cds: clinical decision support for 177Lu-DOTATATE PRRT from FHIR data.

FHIR JSON -> ``cds.mapping`` (facts) -> ``cds.timeline`` -> rules on durable_rules (``cds.engine``,
tables in ``rules/``) -> conclusions -> CLI, CDS Hooks service, cohort report.

The public API is what ``__all__`` names: integrators write ``from cds import evaluate_paths, to_document``
and never import a deeper path, which may move. Names are resolved lazily (module ``__getattr__``), so that
``import cds`` and the pure modules below it (``cds.recist.best``) load neither the rule engine nor the
FHIR models.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cds.ctcae.conclusions import ToxicityGrade
    from cds.document import to_document, to_text
    from cds.dose.conclusions import Deviation, DoseAlert, DoseReason
    from cds.errors import (
        CdsError,
        ConfigurationError,
        EvaluationError,
        InputError,
        InvalidInput,
        NoFhirResources,
        NoPatients,
        ServiceError,
    )
    from cds.evaluation import Evaluation, PatientEvaluation, evaluate_collected, evaluate_paths, evaluate_patient
    from cds.facts import Issue
    from cds.protocol.conclusions import ProtocolCheck, ProtocolChecks
    from cds.recist.conclusions import BestOverallResponse, RecistAssessment, TimepointResponse

__version__ = "0.1.0"

_WHERE = {
    "evaluate_paths": "cds.evaluation", "evaluate_collected": "cds.evaluation", "evaluate_patient": "cds.evaluation",
    "Evaluation": "cds.evaluation", "PatientEvaluation": "cds.evaluation",
    "ToxicityGrade": "cds.ctcae.conclusions",
    "DoseAlert": "cds.dose.conclusions", "DoseReason": "cds.dose.conclusions", "Deviation": "cds.dose.conclusions",
    "RecistAssessment": "cds.recist.conclusions", "TimepointResponse": "cds.recist.conclusions",
    "BestOverallResponse": "cds.recist.conclusions",
    "Issue": "cds.facts",
    "ProtocolCheck": "cds.protocol.conclusions", "ProtocolChecks": "cds.protocol.conclusions",
    "to_document": "cds.document", "to_text": "cds.document",
    "CdsError": "cds.errors", "InputError": "cds.errors", "NoFhirResources": "cds.errors",
    "NoPatients": "cds.errors",
    "ConfigurationError": "cds.errors", "EvaluationError": "cds.errors", "InvalidInput": "cds.errors",
    "ServiceError": "cds.errors",
}

__all__ = [
    "BestOverallResponse",
    "CdsError",
    "ConfigurationError",
    "Deviation",
    "DoseAlert",
    "DoseReason",
    "Evaluation",
    "EvaluationError",
    "InputError",
    "InvalidInput",
    "Issue",
    "NoFhirResources",
    "NoPatients",
    "PatientEvaluation",
    "ProtocolCheck",
    "ProtocolChecks",
    "RecistAssessment",
    "ServiceError",
    "TimepointResponse",
    "ToxicityGrade",
    "__version__",
    "evaluate_collected",
    "evaluate_paths",
    "evaluate_patient",
    "to_document",
    "to_text",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'cds' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
