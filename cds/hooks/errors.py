"""What a hook call can end in besides cards; the routes turn each into its HTTP status.

    HookFailure
    ├── BadRequest          400  not JSON, or not the shape CDS Hooks 2.0.1 defines
    ├── UnknownService      404  no service with that id
    ├── UnknownFeedbackCard 404  feedback for a card this service never issued
    ├── PayloadTooLarge     413  a body over ``max_body_bytes``
    ├── PreconditionFailed  412  required data neither prefetched nor obtainable (CDS Hooks 2.0.1)
    └── Unavailable         503  the store or the replay cache cannot be reached

Messages are short and never carry a value from the request (no patient data, no token).
Every error answer is a minimal FHIR OperationOutcome (the CDS Hooks 3.0 ballot asks for one), built
by ``outcome``; its ``diagnostics`` is that message, also kept as ``detail`` (the answers' earlier
shape, so that integrators reading it are not broken).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class HookFailure(Exception):
    status = 500


class BadRequest(HookFailure):
    status = 400


class UnknownService(HookFailure):
    status = 404


class PayloadTooLarge(HookFailure):
    status = 413


class PreconditionFailed(HookFailure):
    """Required data could neither be read from the prefetch nor fetched from the FHIR server."""

    status = 412

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(f"required data not available: {', '.join(keys)}")
        self.keys = tuple(keys)


class Unavailable(HookFailure):
    status = 503


class UnknownFeedbackCard(HookFailure):
    status = 404


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
