"""Resolve a request's prefetch against the service's templates (CDS Hooks 2.0.1 "Prefetch Template").

For each template key:
- present with a resource or a Bundle: used (a Bundle the client paginated is completed from its
  ``next`` link on the ``fhirServer``; a Bundle holding fewer matches than the ``total`` it states, with no
  ``next`` link, was cut short: it is fetched whole from the ``fhirServer`` as if missing, else its data is
  not available, never read as the whole record);
- present and ``null``: the client has no data for it (an empty result, not an error);
- present with an OperationOutcome, or a Bundle with an error OperationOutcome entry: the client could
  not get the data, and says so to spare a follow-up query: the data is not available;
- missing: fetched from ``fhirServer`` with the ``fhirAuthorization`` token, if there is one and the
  settings allow calling it; otherwise (or if that fails) the data is not available.
Data a required template stands for that is not available makes the answer 412 Precondition Failed.

The Medications that the medication records name by ``medicationReference`` (as many EHRs write them) are
outside the patient compartment, so no template of the recommended subset can ask for them: those the
prefetch does not hold are read from ``fhirServer`` in one search (``Medication?_id=...``) and added to the
Bundle that names them. Where they cannot be had, the medications are data not available (``MEDICATIONS``:
which records are Lutathera cycles or analogues cannot be told), never "no cycle".
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cds.hooks.api.discovery import PATIENT_TOKEN, Template
from cds.hooks.api.models import FHIR_ID, HookRequest
from cds.hooks.errors import PreconditionFailed
from cds.hooks.fhir.client import DataUnavailable, FhirClient, short_of_total, split_page, stated_total
from cds.mapping.fhir import normalise_reference


@dataclass
class Resolved:
    """The data per template key (``None``: no data), the templates whose data is not available, and the
    keys whose data came (wholly or in part) from the FHIR server rather than as the client prefetched it."""

    data: dict[str, Any] = field(default_factory=dict)
    unavailable: list[Template] = field(default_factory=list)
    fetched: set[str] = field(default_factory=set)


# The records that may name their medication by reference, and the data not available when it cannot be read.
MEDICATION_KEYS = ("medicationAdministrations", "medicationStatements", "medicationRequests")
MEDICATIONS = Template("medications", "Medication?_id=", False, "the Medications the medication records name",
                       "which administrations are Lutathera cycles, and which records are somatostatin analogues")
MAX_MEDICATIONS = 100  # ids asked for in one search; a record naming more is not one patient's chart
_ID = re.compile(FHIR_ID)


def _entries(bundle: Any) -> list[dict[str, Any]]:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return []
    return [entry["resource"] for entry in bundle.get("entry") or ()
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict)]


def missing_medications(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Template key -> the ids of the Medications its records name by a relative or absolute reference that
    no Bundle of ``data`` holds (a contained ``#id`` is read from the record itself)."""
    held = {r.get("id") for bundle in data.values() for r in _entries(bundle) if r.get("resourceType") == "Medication"}
    wanted: dict[str, list[str]] = {}
    for key in MEDICATION_KEYS:
        for resource in _entries(data.get(key)):
            ref = resource.get("medicationReference")
            text = ref.get("reference") if isinstance(ref, dict) else None
            if not isinstance(text, str) or text.startswith("#"):
                continue
            kind, _, rid = normalise_reference(text, {}).partition("/")  # the mapping's reading of a reference
            if kind == "Medication" and _ID.match(rid) and rid not in held:
                wanted.setdefault(key, [])
                if rid not in wanted[key]:
                    wanted[key].append(rid)
    return wanted


def render(query: str, patient_id: str) -> str:
    """The relative FHIR URL of a template; the patient id was checked against the FHIR id pattern.

    A search's ``patient=`` is sent as the typed reference ``Patient/{id}``: FHIR R4 allows the bare id
    too, but a real server's search (Medplum's, in the integration tests) matches only the typed form,
    and an empty search would read as "no data on record" rather than fail.
    """
    quoted = quote(patient_id, safe="")
    typed = query.replace(f"patient={PATIENT_TOKEN}", f"patient=Patient/{quoted}")
    return typed.replace(PATIENT_TOKEN, quoted)


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
                resolved.data[template.key], fetched = outcome
                if fetched:
                    resolved.fetched.add(template.key)
        missing = [t.key for t in resolved.unavailable if t.required]
        if missing:
            raise PreconditionFailed(missing)
        await self._medications(resolved, server, token, tuple(also))
        return resolved

    async def _medications(self, resolved: Resolved, server: str | None, token: str | None,
                           also: tuple[str, ...]) -> None:
        """Add the Medications the records name and the data does not hold, read from the FHIR server, to
        the Bundle that names them; if they cannot be had, the medications are not available."""
        wanted = missing_medications(resolved.data)
        ids = list(dict.fromkeys(i for found in wanted.values() for i in found))
        if not ids:
            return
        try:
            if server is None or len(ids) > MAX_MEDICATIONS:
                raise DataUnavailable("Medications not prefetched and no FHIR server to read them from")
            async with asyncio.timeout(self.timeout):
                found = await self.client.search(server, f"Medication?_id={quote(','.join(ids), safe=',')}", token,
                                                 also)
        except (DataUnavailable, TimeoutError):
            resolved.unavailable.append(MEDICATIONS)
            return
        medications = [r for r in _entries(found) if r.get("resourceType") == "Medication" and r.get("id") in ids]
        for key in wanted:
            bundle = resolved.data[key]
            named = set(wanted[key])
            extra = [{"resource": m} for m in medications if m.get("id") in named]
            resolved.data[key] = {**bundle, "entry": [*(bundle.get("entry") or []), *extra]}
            resolved.fetched.add(key)
        if {m.get("id") for m in medications} < set(ids):
            resolved.unavailable.append(MEDICATIONS)  # a Medication the server does not have either

    async def _one(self, template: Template, given: Mapping[str, dict[str, Any] | None], server: str | None,
                   token: str | None, patient_id: str, also: tuple[str, ...]) -> tuple[dict[str, Any] | None, bool]:
        """The template's data, and whether (wholly or in part) it came from the FHIR server: not prefetched,
        a paginated Bundle, or one short of its total (``Resolved.fetched``: what the patient scope filters)."""
        if template.key in given:
            value = given[template.key]
            if value is None:
                return None, False
            if value.get("resourceType") == "OperationOutcome":
                raise DataUnavailable("the client could not prefetch it")
            if value.get("resourceType") != "Bundle":
                return value, False
            entries, following = split_page(value)
            if following is None and not short_of_total(stated_total(value), entries):
                return {**value, "entry": entries}, False
            if following is None:
                # fewer entries than the search matched, and no next page: fetched whole, as if not prefetched
                if server is None:
                    raise DataUnavailable("a prefetch Bundle short of its total without a FHIR server")
                return await self.client.search(server, render(template.query, patient_id), token, also), True
            if server is None:
                raise DataUnavailable("a paginated prefetch without a FHIR server")
            return await self.client.follow(server, value, token, also=also), True
        if server is None:
            raise DataUnavailable("not prefetched and no FHIR server")
        relative = render(template.query, patient_id)
        if template.is_read:
            return await self.client.read(server, relative, token, also), True
        return await self.client.search(server, relative, token, also), True
