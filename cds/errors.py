"""The exception tree of prrt-cds.

    CdsError
    ├── InputError          an input path cannot be read at all (missing, unreadable)
    │   └── NoFhirResources   what was read holds no FHIR resource (empty folder or file, not FHIR)
    ├── ConfigurationError  a rule table or mapping table is malformed
    └── EvaluationError     the rule engine failed while evaluating (never shown as "no finding")

Per-resource problems are not exceptions: they become ``Issue`` values and the run continues.
Exception messages never carry patient data or FHIR payloads.
"""

from __future__ import annotations


class CdsError(Exception):
    """Root of every error raised by prrt-cds."""


class InputError(CdsError):
    """An input path could not be read at all."""


class ConfigurationError(CdsError):
    """A table in rules/ or fhir_mappings/ is malformed or inconsistent."""


class EvaluationError(CdsError):
    """The rule engine raised while evaluating; the evaluation has no valid result."""


class NoFhirResources(InputError):
    """Nothing that was read is a FHIR resource: an empty folder or file, or JSON that is not FHIR.

    ``problems`` are the file-level issues met on the way ("x.json: empty file"), for the message.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems
