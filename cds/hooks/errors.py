"""What a hook call can end in besides cards; the routes turn each into its HTTP status.

    HookFailure
    ├── BadRequest          400  not JSON, or not the shape CDS Hooks 2.0.1 defines
    ├── UnknownService      404  no service with that id
    ├── PayloadTooLarge     413  a body over ``max_body_bytes``
    ├── PreconditionFailed  412  required data neither prefetched nor obtainable (CDS Hooks 2.0.1)
    └── Unavailable         503  the store or the replay cache cannot be reached

Messages are short and never carry a value from the request (no patient data, no token).
"""

from __future__ import annotations

from collections.abc import Sequence


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
