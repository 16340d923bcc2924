"""The Medications that draft orders name by ``medicationReference`` and the call does not send.

A MedicationRequest may name its Medication by reference without the Medication being contained in it or
sent among ``draftOrders``. The service then looks for it in the prefetch's Bundles, and reads those it
still lacks from ``fhirServer`` in one search (``Medication?_id=...``), with the same client, settings,
token and timeout as the prefetch's own Medications (cds.hooks.fhir.prefetch). What cannot be had (no
``fhirServer``, a server not allowed, an error, a timeout, a Medication the server does not have) is
simply not returned: the order is then "not fully checked" (cds.hooks.cards.unresolved_orders), never
taken to agree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from cds.hooks.fhir.client import DataUnavailable, FhirClient
from cds.hooks.fhir.prefetch import MAX_MEDICATIONS

logger = logging.getLogger("cds.hooks")
Resource = dict[str, Any]


def _medications(bundle: Any) -> Iterator[Resource]:
    if isinstance(bundle, dict) and bundle.get("resourceType") == "Medication":
        yield bundle
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return
    for entry in bundle.get("entry") or ():
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "Medication":
            yield resource


def prefetched_medications(prefetch: Mapping[str, Any] | None, ids: Sequence[str]) -> list[Resource]:
    """The Medications of ``ids`` that the prefetch holds (in a Bundle, or as a key's resource)."""
    wanted, found, seen = set(ids), [], set()
    for value in (prefetch or {}).values():
        for medication in _medications(value):
            mid = medication.get("id")
            if mid in wanted and mid not in seen:
                seen.add(mid)
                found.append(medication)
    return found


async def order_medications(client: FhirClient, timeout_seconds: float, prefetch: Mapping[str, Any] | None,
                            server: str | None, token: str | None, ids: Sequence[str],
                            also: Sequence[str] = ()) -> list[Resource]:
    """The Medications of ``ids`` from the prefetch, then from the FHIR server; those that cannot be had
    are left out (logged as a count, never the ids)."""
    ids = list(dict.fromkeys(ids))
    found = prefetched_medications(prefetch, ids)
    missing = [mid for mid in ids if mid not in {m.get("id") for m in found}]
    if not missing:
        return found
    if server is None or len(missing) > MAX_MEDICATIONS:
        logger.info("draft orders: %d Medication(s) not sent and no FHIR server to read them from", len(missing))
        return found
    try:
        async with asyncio.timeout(timeout_seconds):
            answer = await client.search(server, f"Medication?_id={quote(','.join(missing), safe=',')}", token,
                                         tuple(also))
    except (DataUnavailable, TimeoutError):
        logger.info("draft orders: %d Medication(s) could not be read from the FHIR server", len(missing))
        return found
    read = [m for m in _medications(answer) if m.get("id") in missing]
    if len({m.get("id") for m in read}) < len(missing):
        logger.info("draft orders: %d Medication(s) not found on the FHIR server",
                    len(missing) - len({m.get("id") for m in read}))
    return found + read
