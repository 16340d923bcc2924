"""The exception tree of prrt-cds: every exception the package raises derives from ``CdsError``.

    CdsError
    ├── InputError              an input path cannot be read at all (missing, unreadable)
    │   ├── NoFhirResources       what was read holds no FHIR resource (empty folder or file, not FHIR)
    │   └── NoPatients            what was read holds FHIR resources, but no patient to evaluate
    ├── InvalidInput            one value of the input cannot be used; caught where it is read and
    │   │                       reported (an Issue, a 400), never a crash
    │   ├── JsonInputError        cds.jsonio: the text is not acceptable JSON (also a ValueError)
    │   └── Unusable              cds.mapping.fhir: a resource cannot be mapped (the reason, no value)
    ├── ConfigurationError      a rule table, mapping table or service setting is malformed
    ├── EvaluationError         the rule engine failed while evaluating (never shown as "no finding")
    └── ServiceError            the CDS Hooks service (cds.hooks); cds.hooks.errors maps each to HTTP
        ├── HookFailure           cds.hooks.errors: what a hook call ends in besides cards
        │   ├── BadRequest          400  not JSON, or not the shape CDS Hooks 2.0.1 defines
        │   ├── UnknownService      404  no service with that id
        │   ├── UnknownFeedbackCard 404  feedback for a card this service never issued
        │   ├── PreconditionFailed  412  required data neither prefetched nor obtainable
        │   ├── PayloadTooLarge     413  a body over ``max_body_bytes``
        │   │   └── TooManyResources  413  more resources than ``max_resources`` (cds.hooks.handlers)
        │   ├── EvaluationFailed    500  the rule engine failed (cds.hooks.handlers)
        │   └── Unavailable         503  the store or the replay cache cannot be reached
        │       └── DeadlineExceeded  503  no answer within ``request_deadline_seconds``
        ├── NotAuthenticated      401  (bare, WWW-Authenticate: Bearer; never says why)
        ├── Unauthorized          cds.hooks.security.auth: a token is not accepted (the log's reason)
        ├── ReplayCacheError      cds.hooks.security.replay: the replay cache cannot be consulted
        ├── DataUnavailable       cds.hooks.fhir.client: the FHIR server did not give the data
        ├── StoreError            cds.hooks.store: the database could not be written or read
        ├── Unstorable            cds.hooks.store: a value the database would refuse (also a ValueError)
        ├── UnknownCard           cds.hooks.store: feedback for a card never issued (also a LookupError)
        └── UnknownSuggestion     cds.hooks.store: feedback accepting a suggestion its card did not offer
                                  (a 400 BadRequest; also a LookupError)

Only the ``HookFailure`` branch and ``NotAuthenticated`` reach a client; the others are caught by the
layer that knows what they mean and become one of those (or a card's "not available").
Per-resource problems are not exceptions: they become ``Issue`` values and the run continues.
Exception messages never carry patient data or FHIR payloads.
"""

from __future__ import annotations


class CdsError(Exception):
    """Root of every error raised by prrt-cds."""


class InputError(CdsError):
    """An input path could not be read at all."""


class InvalidInput(CdsError):
    """One value of the input cannot be used; the reader reports it and goes on (or refuses the request)."""


class ConfigurationError(CdsError):
    """A table in rules/ or fhir_mappings/, or a service setting, is malformed or inconsistent."""


class EvaluationError(CdsError):
    """The rule engine raised while evaluating; the evaluation has no valid result."""


class ServiceError(CdsError):
    """Root of the CDS Hooks service's exceptions (cds.hooks); cds.hooks.errors maps them to HTTP."""


class NoFhirResources(InputError):
    """Nothing that was read is a FHIR resource: an empty folder or file, or JSON that is not FHIR.

    ``problems`` are the file-level issues met on the way ("x.json: empty file"), for the message.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class NoPatients(InputError):
    """What was read holds FHIR resources, but none makes a patient to evaluate: only Medications, or
    resources whose subject names no patient. An empty result would read as "nothing to report".

    ``problems`` are the issues of no patient met on the way ("Observation/o1: no subject Patient
    reference"), for the message.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems
