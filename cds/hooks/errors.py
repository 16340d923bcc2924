"""What a hook call can end in besides cards, and the one table that turns each into its HTTP answer.

The classes sit in the tree of ``cds.errors`` (``ServiceError`` > ``HookFailure``, ``NotAuthenticated``);
``ANSWERS`` gives each its status (``answer_for`` looks it up): code raises, never chooses a status, and
the one exception handler of ``cds.hooks.api.routes`` answers every class the table names.

Messages are short and never carry a value from the request (no patient data, no token).
Every error answer is a minimal FHIR OperationOutcome (the CDS Hooks 3.0 ballot asks for one), built
by ``outcome``; its ``diagnostics`` is that message, also kept as ``detail`` (the answers' earlier
shape, so that integrators reading it are not broken).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cds.errors import ServiceError


class HookFailure(ServiceError):
    """A hook call cannot be answered with cards; its message is what the client reads."""


class BadRequest(HookFailure):
    """Not JSON, or not the shape CDS Hooks 2.0.1 defines."""


class UnknownService(HookFailure):
    """No service with that id."""


class PayloadTooLarge(HookFailure):
    """A body over ``max_body_bytes``."""


class PreconditionFailed(HookFailure):
    """Required data could neither be read from the prefetch nor fetched from the FHIR server."""

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(f"required data not available: {', '.join(keys)}")
        self.keys = tuple(keys)


class Unavailable(HookFailure):
    """The store or the replay cache cannot be reached."""


class UnknownFeedbackCard(HookFailure):
    """Feedback for a card this service never issued."""


class NotAuthenticated(ServiceError):
    """Answered with a bare 401 (best practices: never say why)."""


@dataclass(frozen=True)
class Answer:
    """How one class of failure is answered: its status, and for some a fixed text and headers."""

    status: int
    text: str | None = None  # None: the exception's own message
    headers: dict[str, str] = field(default_factory=dict)


# The one place a failure gets its status. Looked up along the class's MRO, so a subclass without its
# own row (TooManyResources, DeadlineExceeded, EvaluationFailed) is answered as its parent.
ANSWERS: dict[type[ServiceError], Answer] = {
    BadRequest: Answer(400),
    NotAuthenticated: Answer(401, "the token was not accepted", {"WWW-Authenticate": "Bearer"}),
    UnknownService: Answer(404),
    UnknownFeedbackCard: Answer(404),
    PreconditionFailed: Answer(412),
    PayloadTooLarge: Answer(413),
    Unavailable: Answer(503),
    HookFailure: Answer(500),
}


def answer_for(exc: BaseException) -> Answer:
    """The row of ``ANSWERS`` for ``exc`` (its nearest class that has one); 500 if none has."""
    for cls in type(exc).__mro__:
        if issubclass(cls, ServiceError) and cls in ANSWERS:
            return ANSWERS[cls]
    return Answer(500)


# FHIR R4 IssueType (http://hl7.org/fhir/issue-type) per status: the code says what kind of failure,
# the diagnostics the short message, nothing more (no stack, no value from the request).
ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
               409: "conflict", 412: "incomplete", 413: "too-costly", 415: "not-supported", 422: "invalid",
               429: "throttled", 500: "exception", 503: "transient", 504: "timeout"}


def outcome(status: int, message: str) -> dict[str, Any]:
    """The error body: ``{"resourceType": "OperationOutcome", "issue": [...], "detail": message}``."""
    code = ISSUE_CODES.get(status, "processing" if status < 500 else "exception")
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": message}],
            "detail": message}
