"""Fuzz every endpoint of the service in this process: whatever a client sends, the answer is never a 5xx.

JWT verification is off here so that bodies reach the parser and the evaluation; the live-server fuzz
(tests/integration/test_service_fuzz.py) covers the authenticated path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hooks_support as hs
import pytest
from hypothesis import HealthCheck, given, settings

STRATEGIES = hs.fuzz_strategies()
# CI-friendly by default; HOOKS_FUZZ_EXAMPLES=2000 for a deeper run by hand.
FUZZ = settings(max_examples=int(os.environ.get("HOOKS_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[hs.InProcess]:
    data = hs.FhirData()
    data.add("p1", hs.scenario("withhold", "p1")[0])
    with hs.in_process(tmp_path_factory.mktemp("fuzz"), data) as running:
        yield running


def _post(service: hs.InProcess, path: str, body: bytes) -> int:
    response = service.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code < 500, (response.status_code, response.text)
    return response.status_code


@FUZZ
@given(body=STRATEGIES["hook"], path=STRATEGIES["services"])
def test_hook_requests_never_answer_5xx(service: hs.InProcess, body: dict[str, Any], path: str) -> None:
    _post(service, f"/cds-services/{path}", json.dumps(body).encode())


@FUZZ
@given(extra=STRATEGIES["records"], hook=STRATEGIES["hook"])
def test_valid_requests_with_odd_records_never_answer_5xx(service: hs.InProcess, extra: list[dict[str, Any]],
                                                          hook: dict[str, Any]) -> None:
    """A well-formed call whose prefetch and draft orders hold odd resources: evaluated, answered."""
    prefetch = hs.prefetch_for(hs.scenario("withhold", "p1")[0])
    prefetch["labs"]["entry"] += [{"resource": r} for r in extra]
    orders = [r for r in extra if r["resourceType"] in ("MedicationRequest", "ServiceRequest")]
    body = hs.hook_request("order-sign", "p1", prefetch=prefetch, orders=orders or extra[:1])
    body["extension"] = hook.get("extension", {"x": 1}) if isinstance(hook.get("extension"), dict) else {"x": 1}
    assert _post(service, "/cds-services/prrt-dose-check", json.dumps(body).encode()) in (200, 400, 412)
    view = hs.hook_request("patient-view", "p1", prefetch=prefetch)
    assert _post(service, "/cds-services/prrt-toxicity", json.dumps(view).encode()) in (200, 412)


@FUZZ
@given(body=STRATEGIES["json"], path=STRATEGIES["services"])
def test_any_json_never_answers_5xx(service: hs.InProcess, body: Any, path: str) -> None:
    _post(service, f"/cds-services/{path}", json.dumps(body).encode())
    _post(service, f"/cds-services/{path}/feedback", json.dumps(body).encode())


@FUZZ
@given(body=STRATEGIES["broken"], path=STRATEGIES["services"])
def test_broken_json_is_400_never_5xx(service: hs.InProcess, body: bytes, path: str) -> None:
    for target in (f"/cds-services/{path}", f"/cds-services/{path}/feedback"):
        status = _post(service, target, body)
        # 405: a path such as "." that the client normalises onto /cds-services, which only answers GET
        assert status in (400, 404, 405, 413) or (status == 200 and body.strip() in (b"{}",))


@FUZZ
@given(body=STRATEGIES["feedback"], path=STRATEGIES["services"])
def test_feedback_never_answers_5xx(service: hs.InProcess, body: dict[str, Any], path: str) -> None:
    _post(service, f"/cds-services/{path}/feedback", json.dumps(body).encode())


def test_discovery_and_unknown_routes_never_answer_5xx(service: hs.InProcess) -> None:
    for method, path in (("GET", "/cds-services"), ("POST", "/cds-services"), ("GET", "/cds-services/prrt-toxicity"),
                         ("DELETE", "/cds-services/prrt-toxicity"), ("GET", "/nothing"),
                         ("PUT", "/cds-services/prrt-toxicity/feedback")):
        assert service.request(method, path).status_code < 500


def test_deeply_nested_valid_json_is_not_a_5xx(service: hs.InProcess) -> None:
    nested: Any = {"resourceType": "Observation"}
    for _ in range(400):
        nested = {"code": nested, "resourceType": "Observation"}
    body = hs.hook_request("patient-view", "p1", prefetch={"labs": {"resourceType": "Bundle",
                                                                    "entry": [{"resource": nested}]}})
    _post(service, "/cds-services/prrt-toxicity", json.dumps(body).encode())


def test_hundreds_of_malformed_resources_in_a_real_prefetch(service: hs.InProcess, tmp_path: Path) -> None:
    resources, _ = hs.scenario("withhold", "p1")
    prefetch = hs.prefetch_for(resources)
    prefetch["labs"]["entry"] += [{"resource": {"resourceType": "Observation", "id": str(i), "status": "final",
                                                "subject": {"reference": "Patient/p1"},
                                                "code": {"coding": [{"system": "http://loinc.org", "code": "777-3"}]},
                                                "valueQuantity": {"value": v, "unit": u},
                                                "effectiveDateTime": d}}
                                  for i, (v, u, d) in enumerate([("1", "x", "2024"), (1e308, "10*9/L", "2024-04-23"),
                                                                 (-5, None, "garbage"), (True, "10*9/L", None)] * 50)]
    status = _post(service, "/cds-services/prrt-toxicity",
                   json.dumps(hs.hook_request("patient-view", "p1", prefetch=prefetch)).encode())
    assert status == 200
