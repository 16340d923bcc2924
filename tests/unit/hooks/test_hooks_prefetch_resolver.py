"""The prefetch resolver on its own: what each kind of prefetch value gives, and which keys count as
fetched from the FHIR server (``Resolved.fetched``, the keys the patient scope filters again). A Bundle
is read once: a completed prefetch holds each of the patient's resources exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

import factories as fx
import hooks_support as hs
import httpx
import pytest

from cds.hooks.api.discovery import templates
from cds.hooks.api.models import HookRequest
from cds.hooks.fhir.client import FhirClient
from cds.hooks.fhir.prefetch import PrefetchResolver, Resolved, render


def _resolve(prefetch: dict[str, Any], data: hs.FhirData) -> Resolved:
    body = hs.hook_request("patient-view", "p1", prefetch=prefetch, fhir_server=hs.FHIR_BASE)

    async def run() -> Resolved:
        async with httpx.AsyncClient(transport=hs.mock_transport(data, hs.FHIR_BASE)) as http:
            client = FhirClient(http, page_size=5, max_pages=10, allowed=[hs.FHIR_BASE], allow_private=True)
            resolver = PrefetchResolver(client, templates(), 5.0)
            return await resolver.resolve(HookRequest.model_validate(body), "p1")

    return asyncio.run(run())


def _ids(bundle: Any) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle["entry"]]


def _labs(data: hs.FhirData) -> list[dict[str, Any]]:
    resources, _ = hs.scenario("withhold", "p1")
    data.add("p1", resources)
    return [r for r in resources if r["resourceType"] == "Observation" and r["id"] != "p1-weight"]


@pytest.mark.parametrize("kind", ["null", "resource", "complete", "paginated", "short", "missing"])
def test_what_a_prefetch_value_gives_and_whether_it_counts_as_fetched(kind: str) -> None:
    data = hs.FhirData()
    labs = _labs(data)
    prefetch = hs.prefetch_for([*labs, fx.patient("p1")])
    first = {"resourceType": "Bundle", "type": "searchset", "total": len(labs),
             "entry": [{"resource": r} for r in labs[:5]]}
    if kind == "null":
        prefetch["labs"] = None
    elif kind == "paginated":  # the first page of the labs search, as the server answers it, with its next link
        query = render(next(t for t in templates() if t.key == "labs").query, "p1")
        _, prefetch["labs"] = hs.fhir_answer(hs.FhirData(resources=data.resources), hs.FHIR_BASE,
                                             f"{hs.FHIR_BASE}/{query}&_count=5", None)
        assert len(prefetch["labs"]["entry"]) == 5 and prefetch["labs"]["link"]
    elif kind == "short":
        prefetch["labs"] = first
    elif kind == "missing":
        del prefetch["labs"]
    resolved = _resolve(prefetch, data)
    assert ("labs" in resolved.fetched) == (kind in ("paginated", "short", "missing"))
    assert ("patient" in resolved.fetched) is False  # prefetched as one resource
    if kind == "null":
        assert resolved.data["labs"] is None
    else:
        assert sorted(_ids(resolved.data["labs"])) == sorted(r["id"] for r in labs)  # none lost, none twice
