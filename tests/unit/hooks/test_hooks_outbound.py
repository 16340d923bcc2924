"""Which FHIR servers the service calls for data not prefetched, and with what token.

The safe default: no ``fhir_servers`` and no issuer list means no outbound call at all, so a caller
cannot make the service send its access token to a server it merely names; loopback and private
addresses only with ``fhir_allow_private_networks``; answers capped in size and searches in pages.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hooks_support as hs
import httpx
import pytest

from cds.hooks.app import create_app
from cds.hooks.fhir.client import is_public, resolves_public

TOXICITY = "/cds-services/prrt-toxicity"
ES, RS = hs.signers()["ES384"], hs.signers()["RS384"]


def recording(data: hs.FhirData, base: str) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """The emulated FHIR server at ``base``, and every request that reached the transport (any host)."""
    seen: list[httpx.Request] = []
    inner = hs.mock_transport(data, base)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return inner.handle_request(request)

    return httpx.MockTransport(handle), seen


def run(folder: Path, settings: dict[str, Any], body: dict[str, Any], base: str, *,
        headers: Callable[[], dict[str, str]] | None = None, data: hs.FhirData | None = None) -> tuple[httpx.Response,
                                                                                          list[httpx.Request]]:
    folder.mkdir(parents=True, exist_ok=True)
    data = data or hs.FhirData()
    resources, _ = hs.scenario("withhold", "p1")
    data.add("p1", resources)
    transport, seen = recording(data, base)
    app = create_app(hs.service_settings(folder, **settings), fhir_transport=transport)
    with hs.InProcess(app) as running:  # a token is made once the service runs: never before its replay epoch
        return running.post(TOXICITY, json=body, headers=headers() if headers else {}), seen


def test_with_fhir_servers_unset_no_server_is_called_and_no_token_leaves(tmp_path: Path) -> None:
    base = "https://ehr.example.test/fhir"
    body = hs.hook_request("patient-view", "p1", fhir_server=base, token="secret-ehr-access-token")
    response, seen = run(tmp_path, {"fhir_servers": None}, body, base)
    assert response.status_code == 412  # required data not prefetched and not obtainable
    assert seen == []


def test_a_listed_server_is_called_with_the_token(tmp_path: Path) -> None:
    base = "https://ehr.example.test/fhir"
    body = hs.hook_request("patient-view", "p1", fhir_server=base, token="ehr-token")
    response, seen = run(tmp_path, {"fhir_servers": [base]}, body, base)
    assert response.status_code == 200 and response.json()["cards"][0]["indicator"] == "critical"
    assert seen and {r.headers["authorization"] for r in seen} == {"Bearer ehr-token"}


@pytest.mark.parametrize("base", ["http://127.0.0.1:8080/fhir", "http://localhost/fhir", "http://[::1]/fhir",
                                  "http://10.1.2.3/fhir", "http://192.168.0.10/fhir", "http://169.254.169.254/fhir",
                                  "http://0.0.0.0/fhir", "http://[::ffff:127.0.0.1]/fhir"])
def test_a_listed_server_on_a_private_address_is_called_only_when_configured(tmp_path: Path, base: str) -> None:
    body = hs.hook_request("patient-view", "p1", fhir_server=base, token="ehr-token")
    refused, seen = run(tmp_path / "off", {"fhir_servers": [base]}, body, base)
    assert refused.status_code == 412 and seen == []
    allowed, seen = run(tmp_path / "on", {"fhir_servers": [base], "fhir_allow_private_networks": True}, body, base)
    assert allowed.status_code == 200 and seen


def test_addresses_are_classified() -> None:
    assert is_public("93.184.216.34") and is_public("2606:4700::1111")
    for address in ("127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                    "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "0.0.0.0", "224.0.0.1", "not an address"):
        assert not is_public(address), address
    assert not asyncio.run(resolves_public("localhost"))
    assert not asyncio.run(resolves_public("app.localhost"))
    assert not asyncio.run(resolves_public("[::1]"))


def _issuer_settings(folder: Path, fhir_servers: list[str] | None) -> dict[str, Any]:
    (folder / "es.json").write_text(json.dumps(hs.jwks(ES)))
    (folder / "rs.json").write_text(json.dumps(hs.jwks(RS)))
    return {"fhir_servers": None, "replay_cache_url": "memory://",
            "auth": {"verify_jwt": True, "issuers": [
                {"iss": ES.iss, "jwks_file": str(folder / "es.json"), "fhir_servers": fhir_servers},
                {"iss": RS.iss, "jwks_file": str(folder / "rs.json")}]}}


def test_an_issuer_may_name_its_own_servers_and_only_its_requests_reach_them(tmp_path: Path) -> None:
    base = "https://ehr.example.test/fhir"
    settings = _issuer_settings(tmp_path, [base])
    body = hs.hook_request("patient-view", "p1", fhir_server=base, token="ehr-token")
    aud = f"http://testserver{TOXICITY}"
    ok, seen = run(tmp_path, settings, body, base, headers=lambda: hs.bearer(ES.token(aud)))
    assert ok.status_code == 200 and seen
    other, seen = run(tmp_path, settings, body, base, headers=lambda: hs.bearer(RS.token(aud)))
    assert other.status_code == 412 and seen == []  # the RS issuer lists no server: nothing is called


def test_an_answer_over_the_size_limit_is_no_data(tmp_path: Path) -> None:
    base = "https://ehr.example.test/fhir"
    body = hs.hook_request("patient-view", "p1", fhir_server=base)
    small, _ = run(tmp_path / "a", {"fhir_servers": [base]}, body, base)
    assert small.status_code == 200
    capped, seen = run(tmp_path / "b", {"fhir_servers": [base], "fhir_max_response_bytes": 2048}, body, base)
    assert capped.status_code == 412 and seen  # the labs page is larger than 2 kB
    assert "labs" in capped.json()["detail"]


def test_a_search_over_the_page_limit_is_no_data(tmp_path: Path) -> None:
    base = "https://ehr.example.test/fhir"
    body = hs.hook_request("patient-view", "p1", fhir_server=base)
    response, seen = run(tmp_path, {"fhir_servers": [base], "fhir_page_size": 2, "fhir_max_pages": 2}, body, base)
    assert response.status_code == 412 and "labs" in response.json()["detail"]
    assert max(int(httpx.URL(str(r.url)).params.get("_page", "0")) for r in seen) <= 2


# fhirServer values the request model accepts (an http(s) scheme and a host) that httpx cannot parse
UNPARSABLE = ["https://[::1/fhir", "https://ehr.example.test/fhir\u0000", "https://ehr.example.test:99999999999/fhir"]


@pytest.mark.parametrize("base", UNPARSABLE)
def test_a_fhir_server_url_that_cannot_be_parsed_is_no_data_not_a_500(tmp_path: Path, base: str) -> None:
    body = hs.hook_request("patient-view", "p1", fhir_server=base, token="ehr-token")
    response, seen = run(tmp_path, {"fhir_servers": [hs.FHIR_BASE]}, body, hs.FHIR_BASE)
    assert response.status_code == 412, response.text  # required data not prefetched and not obtainable
    assert seen == []


@pytest.mark.parametrize("base", UNPARSABLE)
def test_an_order_medication_from_an_unparsable_fhir_server_is_not_checked_not_a_500(tmp_path: Path,
                                                                                     base: str) -> None:
    """A draft order naming a Medication the call does not send: read from fhirServer, which cannot be."""
    order = hs.medication_request("lutathera-order", "p1", 7.4)
    del order["medicationCodeableConcept"]
    order["medicationReference"] = {"reference": "Medication/med-1"}
    resources, as_of = hs.scenario("withhold", "p1")
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=[order],
                           fhir_server=base)
    with hs.in_process(tmp_path, as_of=as_of) as running:
        response = running.post("/cds-services/prrt-dose-check", json=body)
    assert response.status_code == 200, response.text
    assert any("not fully checked" in card["summary"] for card in response.json()["cards"])
