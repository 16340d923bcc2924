"""Fuzz the live service over HTTP with valid tokens: no body, however odd, gets a 5xx."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import hooks_support as hs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings

STRATEGIES = hs.fuzz_strategies()
ES = hs.signers()["ES384"]
FUZZ = settings(max_examples=int(os.environ.get("HOOKS_FUZZ_EXAMPLES", "25")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")  # module-scoped here: hypothesis runs many examples per test
def client(live: hs.SharedService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.service.url, timeout=30.0) as http:
        yield http


def post(client: httpx.Client, live: hs.SharedService, path: str, body: bytes) -> int:
    token = ES.token(live.service.url + path)
    response = client.post(path, content=body, headers={**hs.bearer(token), "Content-Type": "application/json"})
    assert response.status_code < 500, (response.status_code, response.text)
    return response.status_code


@FUZZ
@given(body=STRATEGIES["hook"], service=STRATEGIES["services"])
def test_hook_bodies(client: httpx.Client, live: hs.SharedService, body: dict[str, Any], service: str) -> None:
    post(client, live, f"/cds-services/{service}", json.dumps(body).encode())


@FUZZ
@given(body=STRATEGIES["broken"])
def test_broken_json(client: httpx.Client, live: hs.SharedService, body: bytes) -> None:
    assert post(client, live, "/cds-services/prrt-dose-check", body) in (400, 413)
    assert post(client, live, "/cds-services/prrt-dose-check/feedback", body) in (200, 400, 413)


@FUZZ
@given(body=STRATEGIES["feedback"] | STRATEGIES["json"])
def test_feedback_bodies(client: httpx.Client, live: hs.SharedService, body: Any) -> None:
    post(client, live, "/cds-services/prrt-toxicity/feedback", json.dumps(body).encode())


@FUZZ
@given(extra=STRATEGIES["records"])
def test_odd_records_in_a_real_call(client: httpx.Client, live: hs.SharedService, extra: list[dict[str, Any]]) -> None:
    pid = "p1"
    prefetch = hs.prefetch_for(hs.scenario("withhold", pid)[0])
    prefetch["labs"]["entry"] += [{"resource": r} for r in extra]
    body = hs.hook_request("order-sign", pid, prefetch=prefetch, orders=[hs.medication_request("mr-1", pid), *extra])
    assert post(client, live, "/cds-services/prrt-dose-check", json.dumps(body).encode()) in (200, 400, 412)


def test_unauthenticated_fuzz_is_401_not_5xx(client: httpx.Client) -> None:
    for body in (b"", b"{", b"[]", b'{"hook": "patient-view"}', b"\x00" * 100):
        assert client.post("/cds-services/prrt-toxicity", content=body).status_code == 401
