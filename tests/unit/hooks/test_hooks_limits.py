"""The service's limits in this process: answers that cannot be rendered, the resource cap, the deadline,
the evaluation slots and the readiness check.

The hostile orders are the shapes of the integrator's reproducers (an order whose ``extension`` nests
260 / 800 levels, a lone UTF-16 surrogate in an order's note), rebuilt here with the test factories.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import hooks_support as hs
import pytest

from cds.hooks.runtime.slots import EvaluationSlots
from cds.jsonio import MAX_DEPTH

DOSE = "/cds-services/prrt-dose-check"
TOXICITY = "/cds-services/prrt-toxicity"


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def order_sign(pid: str, order: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """An order-sign call whose answer carries the order back (reduce: the suggestion changes its dose)."""
    resources, as_of = hs.scenario("reduce", pid)
    return hs.hook_request("order-sign", pid, prefetch=hs.prefetch_for(resources), orders=[order]), as_of


def post_raw(service: hs.InProcess, path: str, body: dict[str, Any]) -> Any:
    # json.dumps writes a lone surrogate as its \\ud800 escape, as a client's JSON library would
    return service.post(path, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


def test_the_control_order_gets_a_card_that_carries_the_order(tmp_path: Path) -> None:
    body, as_of = order_sign("p1", hs.medication_request("mr-1", "p1"))
    with hs.in_process(tmp_path, as_of=as_of) as service:
        response = post_raw(service, DOSE, body)
        audited = service.components.store.cards(body["hookInstance"])
    assert response.status_code == 200
    assert "mr-1" in response.text  # the order travels back in the suggestion: the hostile cases below matter
    assert len(audited) == len(response.json()["cards"]) >= 1


@pytest.mark.parametrize("depth", [60, 260, 800])
def test_an_order_nested_too_deep_is_400_and_leaves_no_audit_row(tmp_path: Path, depth: int) -> None:
    body, as_of = order_sign("p1", hs.medication_request("mr-1", "p1"))
    body["context"]["draftOrders"]["entry"][0]["resource"]["extension"] = [nested(depth)]  # after the factory
    with hs.in_process(tmp_path, as_of=as_of) as service:
        response = post_raw(service, DOSE, body)
        audited = service.components.store.cards(body["hookInstance"])
    assert response.status_code == 400
    assert f"nested deeper than {MAX_DEPTH} levels" in response.json()["detail"]
    assert audited == []  # no row for a card that never left


def test_an_order_nested_just_within_the_limit_is_answered(tmp_path: Path) -> None:
    body, as_of = order_sign("p1", hs.medication_request("mr-1", "p1"))
    body["context"]["draftOrders"]["entry"][0]["resource"]["extension"] = [nested(40)]
    with hs.in_process(tmp_path, as_of=as_of) as service:
        response = post_raw(service, DOSE, body)
        audited = service.components.store.cards(body["hookInstance"])
    assert response.status_code == 200
    assert len(audited) == len(response.json()["cards"]) >= 1


def test_a_lone_surrogate_in_an_order_note_is_400_and_leaves_no_audit_row(tmp_path: Path) -> None:
    order = hs.medication_request("mr-1", "p1")
    order["note"] = [{"text": "lone \ud800 surrogate"}]
    body, as_of = order_sign("p1", order)
    with hs.in_process(tmp_path, as_of=as_of) as service:
        response = post_raw(service, DOSE, body)
        audited = service.components.store.cards(body["hookInstance"])
    assert response.status_code == 400
    assert "cannot be rendered" in response.json()["detail"]
    assert audited == []


def test_the_resource_cap_is_413_above_and_evaluates_at_it(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("withhold", "p1")
    body = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources))
    with hs.in_process(tmp_path, as_of=as_of, max_resources=len(resources)) as service:
        at = service.post(TOXICITY, json=body)
    with hs.in_process(tmp_path, as_of=as_of, max_resources=len(resources) - 1) as service:
        above = service.post(TOXICITY, json={**body, "hookInstance": "over-the-cap"})
        audited = service.components.store.cards("over-the-cap")
    assert at.status_code == 200 and len(at.json()["cards"]) == 1
    assert above.status_code == 413
    assert above.json()["detail"] == f"more than {len(resources) - 1} resources to evaluate (max_resources)"
    assert audited == []


def test_draft_orders_count_towards_the_resource_cap(tmp_path: Path) -> None:
    body, as_of = order_sign("p1", hs.medication_request("mr-1", "p1"))
    resources = len(hs.scenario("reduce", "p1")[0])
    with hs.in_process(tmp_path, as_of=as_of, max_resources=resources) as service:
        response = post_raw(service, DOSE, body)
    assert response.status_code == 413


def test_past_the_deadline_the_answer_is_503_and_no_card_is_audited(tmp_path: Path) -> None:
    # about 2,000 laboratory results: an evaluation of a second or so, against a deadline of 50 ms
    pid = "p1"
    days = [(date(2021, 1, 1) + timedelta(days=3 * n)).isoformat() for n in range(260)]
    resources = hs.prrt_record(pid, panels=[(day, {}) for day in days])
    body = hs.hook_request("patient-view", pid, prefetch=hs.prefetch_for(resources))
    with hs.in_process(tmp_path, request_deadline_seconds=0.05) as service:
        started = time.monotonic()
        response = service.post(TOXICITY, json=body)
        elapsed = time.monotonic() - started
        time.sleep(0.2)
        audited = service.components.store.cards(body["hookInstance"])
    assert len(resources) > 2000
    assert response.status_code == 503
    assert response.json()["detail"] == "the answer was not ready in time; no card is issued"
    assert elapsed < 1.0  # answered at the deadline, not when the evaluation ended
    assert audited == []


def test_an_abandoned_evaluation_keeps_its_slot_until_its_thread_ends() -> None:
    release = threading.Event()

    async def scenario() -> tuple[bool, int]:
        slots = EvaluationSlots(1)
        first = asyncio.ensure_future(slots.run(release.wait, 5.0))
        await asyncio.sleep(0.05)
        first.cancel()  # the caller's deadline: its thread goes on
        second = asyncio.ensure_future(slots.run(lambda: 42))
        await asyncio.sleep(0.2)
        waited = not second.done()  # no slot while the first thread runs
        release.set()
        value = await asyncio.wait_for(second, 5.0)
        slots.close()
        return waited, value

    assert asyncio.run(scenario()) == (True, 42)


def test_readiness_asks_the_database_and_health_does_not(tmp_path: Path) -> None:
    with hs.in_process(tmp_path) as service:
        ready = service.get("/readyz")
        service.components.store.engine.dispose()
        (tmp_path / "hooks.db").unlink()
        (tmp_path / "hooks.db").mkdir()  # a database that cannot be opened
        not_ready = service.get("/readyz")
        health = service.get("/healthz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert (not_ready.status_code, not_ready.json()["detail"]) == (503, "the database does not answer")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})



def test_serve_raises_the_open_file_limit_to_fit_the_connection_cap_or_refuses() -> None:
    import subprocess
    import sys

    # In a process of its own (the limits of this one stay as they are); the hard limit last, as it
    # can only be lowered. Each case: (soft, hard) before, then what enough_descriptors(1000) leaves.
    code = """
import resource
from cds.errors import ConfigurationError
from cds.hooks.runtime.serve import enough_descriptors
for soft, hard in ((300, 4096), (2000, 4096), (300, 500)):
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        enough_descriptors(1000)
        print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    except ConfigurationError as exc:
        print(exc)
"""
    lines = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                           check=True).stdout.splitlines()
    assert lines == ["1256",  # raised to the cap and 256 beside it
                     "2000",  # already enough: unchanged
                     "max_connections = 1000 needs 1256 open files per worker; the limit is 500 (ulimit -n): "
                     "lower max_connections or raise it"]
