"""Resolve a request's prefetch against the service's templates (CDS Hooks 2.0.1 "Prefetch Template").

For each template key:
- present with a resource or a Bundle: used (a Bundle the client paginated is completed from its
  ``next`` link on the ``fhirServer``);
- present and ``null``: the client has no data for it (an empty result, not an error);
- present with an OperationOutcome, or a Bundle with an error OperationOutcome entry: the client could
  not get the data, and says so to spare a follow-up query: the data is not available;
- missing: fetched from ``fhirServer`` with the ``fhirAuthorization`` token, if there is one and the
  settings allow calling it; otherwise (or if that fails) the data is not available.
Data a required template stands for that is not available makes the answer 412 Precondition Failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cds.hooks.api.discovery import PATIENT_TOKEN, Template
from cds.hooks.api.models import HookRequest
from cds.hooks.errors import PreconditionFailed
from cds.hooks.fhir.client import DataUnavailable, FhirClient, next_link, split_page


@dataclass
class Resolved:
    """The data per template key (``None``: no data), the templates whose data is not available, and the
    keys whose data came (wholly or in part) from the FHIR server rather than as the client prefetched it."""

    data: dict[str, Any] = field(default_factory=dict)
    unavailable: list[Template] = field(default_factory=list)
    fetched: set[str] = field(default_factory=set)


def render(query: str, patient_id: str) -> str:
    """The relative FHIR URL of a template; the patient id was checked against the FHIR id pattern.

    A search's ``patient=`` is sent as the typed reference ``Patient/{id}``: FHIR R4 allows the bare id
    too, but a real server's search (Medplum's, in the integration tests) matches only the typed form,
    and an empty search would read as "no data on record" rather than fail.
    """
    quoted = quote(patient_id, safe="")
    typed = query.replace(f"patient={PATIENT_TOKEN}", f"patient=Patient/{quoted}")
    return typed.replace(PATIENT_TOKEN, quoted)


def _from_server(key: str, given: Mapping[str, dict[str, Any] | None]) -> bool:
    """Whether ``_one`` asked the FHIR server for the key's data: not prefetched, or a paginated Bundle."""
    if key not in given:
        return True
    value = given[key]
    return value is not None and value.get("resourceType") == "Bundle" and next_link(value) is not None


class PrefetchResolver:
    def __init__(self, client: FhirClient, templates: Sequence[Template], timeout_seconds: float) -> None:
        self.client = client
        self.templates = tuple(templates)
        self.timeout = timeout_seconds

    async def resolve(self, request: HookRequest, patient_id: str, also: Sequence[str] = ()) -> Resolved:
        """Raises PreconditionFailed when a required template's data is not available. ``also``: FHIR
        servers the caller's issuer may name besides the globally allowed ones."""
        given: Mapping[str, dict[str, Any] | None] = request.prefetch or {}
        server = request.fhirServer
        token = request.fhirAuthorization.access_token.get_secret_value() if request.fhirAuthorization else None
        resolved = Resolved()
        work = {t.key: self._one(t, given, server, token, patient_id, tuple(also)) for t in self.templates}
        try:
            async with asyncio.timeout(self.timeout * 2):
                outcomes = await asyncio.gather(*work.values(), return_exceptions=True)
        except TimeoutError:
            outcomes = [DataUnavailable("timed out")] * len(work)
        for template, outcome in zip(self.templates, outcomes, strict=True):
            if isinstance(outcome, DataUnavailable):
                resolved.unavailable.append(template)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                resolved.data[template.key] = outcome
                if _from_server(template.key, given):
                    resolved.fetched.add(template.key)
        missing = [t.key for t in resolved.unavailable if t.required]
        if missing:
            raise PreconditionFailed(missing)
        return resolved

    async def _one(self, template: Template, given: Mapping[str, dict[str, Any] | None], server: str | None,
                   token: str | None, patient_id: str, also: tuple[str, ...]) -> dict[str, Any] | None:
        if template.key in given:
            value = given[template.key]
            if value is None:
                return None
            if value.get("resourceType") == "OperationOutcome":
                raise DataUnavailable("the client could not prefetch it")
            if value.get("resourceType") != "Bundle":
                return value
            entries, following = split_page(value)
            if following is None:
                return {**value, "entry": entries}
            if server is None:
                raise DataUnavailable("a paginated prefetch without a FHIR server")
            return await self.client.follow(server, value, token, also=also)
        if server is None:
            raise DataUnavailable("not prefetched and no FHIR server")
        relative = render(template.query, patient_id)
        if template.is_read:
            return await self.client.read(server, relative, token, also)
        return await self.client.search(server, relative, token, also)
