"""The CDS Hooks service as a CDS client meets it: ``prrt-cds serve`` in its own process on a free
loopback port, called over HTTP with signed JWTs; missing prefetch is served by a FHIR server on
loopback. Every 200 answer is validated against the spec's schemas.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import factories as fx
import hooks_support as hs
import httpx

ES = hs.signers()["ES384"]


def endpoint(client: httpx.Client, path: str) -> str:
    """The exact URL called: a token's aud."""
    return str(client.base_url).rstrip("/") + path


def call(client: httpx.Client, path: str, body: Any = None, *, signer: hs.Signer = ES, **kwargs: Any) -> httpx.Response:
    headers = hs.bearer(signer.token(endpoint(client, path)))
    if body is None:
        return client.get(path, headers=headers)
    return client.post(path, json=body, headers=headers, **kwargs)


def cards_of(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert hs.schema_errors("service-response", response.json()) == []
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def audit(live: hs.SharedService, hook_instance: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(live.service.database) as connection:
        return connection.execute(
            "select card_uuid, service_id, hook, patient, indicator, action, ruleset_version from prrt_cds_card_audit"
            " where hook_instance = ?", (hook_instance,)).fetchall()


def test_discovery_needs_a_token_and_is_spec_valid(client: httpx.Client) -> None:
    assert client.get("/cds-services").status_code == 401
    response = call(client, "/cds-services")
    assert response.status_code == 200
    assert hs.schema_errors("discovery-response", response.json()) == []
    prefetch = response.json()["services"][0]["prefetch"]
    assert set(prefetch) == {"patient", "labs", "procedures", "medicationAdministrations", "bodyWeight",
                             "performanceStatus", "tumourAssessments", "dosimetry", "kidneyRiskFactors",
                             "medicationStatements", "medicationRequests", "pregnancy"}
    assert "http://loinc.org|777-3" in prefetch["labs"]


def test_patient_view_with_full_prefetch(client: httpx.Client, live: hs.SharedService) -> None:
    pid = hs.distinct("pv-full")
    resources, _ = hs.scenario("withhold", pid)
    body = hs.hook_request("patient-view", pid, prefetch=hs.prefetch_for(resources))
    [card] = cards_of(call(client, "/cds-services/prrt-toxicity", body))
    assert card["indicator"] == "critical"
    assert card["summary"] == "Lutathera cycle 3: withhold; cycle 2: worst CTCAE grade 2 Platelet count decreased"
    [row] = audit(live, body["hookInstance"])
    assert row[:6] == (card["uuid"], "prrt-toxicity", "patient-view", f"Patient/{pid}", "critical", "withhold")


def test_missing_prefetch_is_fetched_from_the_loopback_fhir_server(client: httpx.Client,
                                                                   live: hs.SharedService) -> None:
    pid = hs.distinct("pv-fetch")
    resources, _ = hs.scenario("reduce", pid)
    live.data.add(pid, resources)
    body = hs.hook_request("patient-view", pid, fhir_server=live.fhir.base, token=f"token-{pid}")
    [card] = cards_of(call(client, "/cds-services/prrt-toxicity", body))
    assert card["indicator"] == "warning" and "reduce to 3.7 GBq" in card["summary"]
    asked = [(path, auth) for path, auth in live.data.requests if pid in path or f"token-{pid}" in (auth or "")]
    assert asked and all(auth == f"Bearer token-{pid}" for _, auth in asked)
    paths = [path for path, _ in asked]
    assert f"/Patient/{pid}" in paths
    assert any("_count=7" in p for p in paths) and any("_page=" in p for p in paths)  # pages followed


def test_null_prefetch_is_no_data(client: httpx.Client, live: hs.SharedService) -> None:
    pid = hs.distinct("pv-null")
    resources, _ = hs.scenario("proceed", pid)
    prefetch = hs.prefetch_for(resources)
    prefetch.update(performanceStatus=None, tumourAssessments=None, medicationAdministrations=None, bodyWeight=None)
    body = hs.hook_request("patient-view", pid, prefetch=prefetch, fhir_server=live.fhir.base)
    [card] = cards_of(call(client, "/cds-services/prrt-toxicity", body))
    assert card["indicator"] == "warning"  # no body weight: creatinine clearance cannot be known
    assert "creatinine clearance cannot be known" in card["detail"]
    assert not [p for p, _ in live.data.requests if pid in p]


def test_operation_outcome_in_prefetch_and_from_the_server(client: httpx.Client, live: hs.SharedService) -> None:
    pid = hs.distinct("pv-oo")
    resources, _ = hs.scenario("withhold", pid)
    prefetch = hs.prefetch_for(resources)
    prefetch["labs"] = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]}
    body = hs.hook_request("patient-view", pid, prefetch=prefetch, fhir_server=live.fhir.base)
    response = call(client, "/cds-services/prrt-toxicity", body)
    assert (response.status_code, response.json()["detail"]) == (412, "required data not available: labs")
    live.data.add(pid, resources)
    live.data.failures[f"{pid}:Procedure"] = (200, "outcome-200")
    fetched = call(client, "/cds-services/prrt-toxicity",
                   hs.hook_request("patient-view", pid, fhir_server=live.fhir.base))
    assert fetched.status_code == 412 and "procedures" in fetched.json()["detail"]


def test_412_when_nothing_can_be_had(client: httpx.Client) -> None:
    response = call(client, "/cds-services/prrt-toxicity", hs.hook_request("patient-view", hs.distinct("pv-none")))
    assert response.status_code == 412


def test_order_sign_and_order_select_cards(client: httpx.Client, live: hs.SharedService) -> None:
    pid = hs.distinct("os")
    resources, _ = hs.scenario("reduce", pid)
    sign = hs.hook_request("order-sign", pid, prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", pid, 7.4)])
    [card] = cards_of(call(client, "/cds-services/prrt-dose-check", sign))
    assert card["suggestions"][0]["actions"][0]["type"] == "update"
    assert card["suggestions"][0]["actions"][0]["resource"]["dosageInstruction"][0]["doseAndRate"][0][
        "doseQuantity"]["value"] == 3.7
    pid2 = hs.distinct("osel")
    resources2, _ = hs.scenario("withhold", pid2)
    live.data.add(pid2, resources2)
    select = hs.hook_request("order-select", pid2, fhir_server=live.fhir.base,
                             orders=[hs.service_request("sr-1", pid2), hs.amoxicillin("mr-2", pid2)])
    [card2] = cards_of(call(client, "/cds-services/prrt-dose-check", select))
    assert card2["indicator"] == "critical"
    assert card2["suggestions"][0]["actions"] == [{"type": "delete", "resourceId": "ServiceRequest/sr-1",
                                                   "description": "Remove the draft order ServiceRequest/sr-1"}]
    feedback = {"feedback": [{"card": card2["uuid"], "outcome": "overridden",
                              "outcomeTimestamp": "2024-04-29T09:00:00Z",
                              "overrideReason": {"reason": card2["overrideReasons"][1],
                                                 "userComment": "tumour board decided"}}]}
    assert hs.schema_errors("feedback-request", feedback) == []
    first = call(client, "/cds-services/prrt-dose-check/feedback", feedback)
    again = call(client, "/cds-services/prrt-dose-check/feedback", feedback)
    assert (first.json(), again.json()) == ({"stored": 1, "alreadyStored": 0}, {"stored": 0, "alreadyStored": 1})


def test_spec_examples_get_spec_answers(client: httpx.Client, live: hs.SharedService) -> None:
    before = len(live.data.requests)
    example = hs.reference_json("spec-2.0.1/04-request-patient-view.json")
    assert call(client, "/cds-services/prrt-toxicity", example).status_code == 412  # its fhirServer is not allowed
    assert len(live.data.requests) == before
    extension = call(client, "/cds-services/prrt-toxicity",
                     hs.reference_json("spec-2.0.1/37-request-with-extension.json"))
    assert (extension.status_code, extension.json()["detail"]) == (400, "context.patientId: Field required")
    for name, hook in (("order-sign-context-0-r4.json", "order-sign"), ("order-select-context-0-r4.json",
                                                                         "order-select")):
        context = hs.reference_json(f"hook-library/{name}")["context"]
        assert cards_of(call(client, "/cds-services/prrt-dose-check",
                             {"hook": hook, "hookInstance": hs.distinct("spec"), "context": context})) == []
    for name in ("24-feedback-accepted.json", "25-feedback-overridden-no-reason.json",
                 "26-feedback-overridden-with-reason.json"):
        # the examples' card uuids were never issued by this service: 404, not stored as if known
        assert call(client, "/cds-services/prrt-toxicity/feedback", hs.reference_json(f"spec-2.0.1/{name}")
                    ).status_code == 404


def test_client_errors_are_4xx(client: httpx.Client) -> None:
    headers = hs.bearer(ES.token(endpoint(client, "/cds-services/prrt-toxicity")))
    assert client.post("/cds-services/prrt-toxicity", content=b"{oops", headers=headers).status_code == 400
    unknown = call(client, "/cds-services/unknown", hs.hook_request("patient-view", "p1"))
    assert unknown.status_code == 404
    wrong_hook = call(client, "/cds-services/prrt-toxicity", hs.hook_request("order-sign", "p1"))
    assert wrong_hook.status_code == 400


def test_cors_for_the_configured_origin_only(client: httpx.Client) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = client.options("/cds-services/prrt-toxicity", headers={"Origin": "https://ehr.example.test", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://ehr.example.test"
    other = client.options("/cds-services/prrt-toxicity", headers={"Origin": "https://evil.example.test", **preflight})
    assert "access-control-allow-origin" not in other.headers


def test_the_log_holds_no_patient_data_and_no_token(client: httpx.Client, live: hs.SharedService) -> None:
    pid = hs.distinct("pt-secret")
    resources, _ = hs.scenario("withhold", pid)
    live.data.add(pid, resources)
    token = ES.token(endpoint(client, "/cds-services/prrt-toxicity"))
    body = hs.hook_request("patient-view", pid, fhir_server=live.fhir.base, token=f"fhir-{pid}")
    assert client.post("/cds-services/prrt-toxicity", json=body, headers=hs.bearer(token)).status_code == 200
    assert client.post("/cds-services/prrt-toxicity", json=body, headers=hs.bearer(token)).status_code == 401
    client.post("/cds-services/prrt-toxicity", content=f'{{"patient": "{pid}"'.encode(),
                headers=hs.bearer(ES.token(endpoint(client, "/cds-services/prrt-toxicity"))))
    assert hs.wait_for(lambda: "replayed jti" in live.service.log_text())
    log = live.service.log_text()
    assert pid not in log and f"fhir-{pid}" not in log and token not in log
    assert "Platelet" not in log


def test_order_sign_fetches_the_treatment_context_and_offers_the_amino_acids(client: httpx.Client,
                                                                             live: hs.SharedService) -> None:
    """Nothing prefetched: the service fetches the analogues, pregnancy tests, kidney risk factors and
    dosimetry from the FHIR server with the new templates; an LAR 20 days before the cycle and no
    amino-acid order give a protocol card with a ``create`` of the site's amino-acid order, and the kidney
    dose of two 9 Gy cycles with hypertension holds the 7.4 GBq order to 1.7 GBq."""
    pid = hs.distinct("os-ctx")
    resources, _ = hs.scenario("proceed", pid)
    subject = f"Patient/{pid}"
    resources += [
        fx.medication_record(f"{pid}-lar", "MedicationStatement", "octreotide LAR 30 mg", "2024-04-09",
                             patient=subject),
        fx.condition(f"{pid}-htn", fx.HYPERTENSION, patient=subject),
        fx.dosimetry(f"{pid}-d1", 9, half_life=20, part_of=f"Procedure/{pid}-cycle-1", patient=subject,
                     when="2024-01-12T08:00:00Z"),
        fx.dosimetry(f"{pid}-d2", 9, half_life=20, part_of=f"Procedure/{pid}-cycle-2", patient=subject,
                     when="2024-03-08T08:00:00Z"),
    ]
    live.data.add(pid, resources)
    body = hs.hook_request("order-sign", pid, fhir_server=live.fhir.base, orders=[hs.medication_request("mr-1", pid)],
                           with_amino_acids=False)
    cards = cards_of(call(client, "/cds-services/prrt-dose-check", body))
    by_action = {row[5]: row for row in audit(live, body["hookInstance"])}
    assert set(by_action) == {"kidney-dose", "protocol-checks"}
    kidney = next(c for c in cards if "kidney dose limits" in c["summary"])
    assert kidney["suggestions"][0]["label"] == "Change the order to 1.7 GBq"
    protocol = next(c for c in cards if c["summary"].startswith("Before Lutathera cycle 3"))
    checks = {c["check"]: c for c in protocol["extension"]["org.prrt-cds.protocol-checks"]["protocol_checks"]}
    assert checks["ssa-long-acting"]["status"] == "warning" and checks["amino-acids"]["status"] == "warning"
    assert checks["kidney-dose"]["status"] == "warning"
    [create] = protocol["suggestions"][0]["actions"]
    assert create["type"] == "create" and create["resource"]["resourceType"] == "MedicationRequest"
    paths = [path for path, _ in live.data.requests if pid in path]
    for resource_type in ("MedicationStatement", "MedicationRequest", "Condition"):
        assert any(p.startswith(f"/{resource_type}?") for p in paths), paths
    assert any("dosimetry" in p for p in paths) and any("2106-3" in p for p in paths), paths
