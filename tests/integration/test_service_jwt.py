"""JWT authentication of the live service (CDS Hooks 2.0.1 "Trusting CDS Clients"): ES384 keys from a
file, RS384 keys from a JWK Set URL on loopback. Every refusal is a bare 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import hooks_support as hs
import httpx
import pytest
from cryptography.hazmat.primitives import serialization

ES, RS = hs.signers()["ES384"], hs.signers()["RS384"]
PATH = "/cds-services/prrt-toxicity"


@pytest.fixture
def body() -> dict[str, Any]:
    pid = hs.distinct("jwt")
    return hs.hook_request("patient-view", pid, prefetch=hs.prefetch_for(hs.scenario("proceed", pid)[0]))


def aud(live: hs.SharedService, path: str = PATH) -> str:
    return live.service.url + path


def send(client: httpx.Client, token: str, body: dict[str, Any]) -> httpx.Response:
    return client.post(PATH, json=body, headers=hs.bearer(token))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _compact(header: dict[str, Any], claims: dict[str, Any], key: bytes | None = None) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = b"" if key is None else hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


@pytest.mark.parametrize("signer", [ES, RS], ids=["ES384-file", "RS384-jwks-url"])
def test_valid_tokens_pass(client: httpx.Client, live: hs.SharedService, body: dict[str, Any],
                           signer: hs.Signer) -> None:
    token = signer.token(aud(live), tenant="hospital-1", sub="ehr", nbf=int(time.time()) - 1, extra_claim=True)
    response = send(client, token, body)
    assert response.status_code == 200, response.text


def bad_tokens(live: hs.SharedService) -> dict[str, str]:
    now = int(time.time())
    public_pem = ES.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "wrong aud": ES.token(aud(live, "/cds-services/prrt-dose-check")),
        "aud of the base URL": ES.token(live.service.url),
        "expired": ES.token(aud(live), iat_offset=-600, lifetime=300),
        "iat in the future": ES.token(aud(live), iat_offset=900),
        "unknown issuer": ES.token(aud(live), iss="https://stranger.example.test"),
        "unknown kid (file)": ES.token(aud(live), headers={"kid": "es-unknown"}),
        "unknown kid (url)": RS.token(aud(live), headers={"kid": "rs-unknown"}),
        "alg none": _compact({"alg": "none", "typ": "JWT", "kid": ES.kid}, ES.claims(aud(live))),
        "HS256 with the public key": _compact({"alg": "HS256", "typ": "JWT", "kid": ES.kid}, ES.claims(aud(live)),
                                              public_pem),
        "no iss": ES.token(aud(live), iss=None),
        "no aud": ES.token(aud(live), aud=None),
        "no exp": ES.token(aud(live), exp=None),
        "no iat": ES.token(aud(live), iat=None),
        "no jti": ES.token(aud(live), jti=None),
        "exp not a number": ES.token(aud(live), exp="soon"),
        "lifetime over an hour": ES.token(aud(live), lifetime=4 * 3600),
        "not yet valid (nbf)": ES.token(aud(live), nbf=now + 600),
    }


CASES = ["wrong aud", "aud of the base URL", "expired", "iat in the future", "unknown issuer", "unknown kid (file)",
         "unknown kid (url)", "alg none", "HS256 with the public key", "no iss", "no aud", "no exp", "no iat", "no jti",
         "exp not a number", "lifetime over an hour", "not yet valid (nbf)"]


@pytest.mark.parametrize("case", CASES)
def test_bad_tokens_get_a_401_that_says_nothing_more(client: httpx.Client, live: hs.SharedService, body: dict[str, Any],
                                   case: str) -> None:
    response = send(client, bad_tokens(live)[case], body)
    assert (response.status_code, response.json()) == (401, hs.NOT_ACCEPTED)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_replayed_jti_is_refused(client: httpx.Client, live: hs.SharedService, body: dict[str, Any]) -> None:
    token = RS.token(aud(live))
    assert send(client, token, body).status_code == 200
    assert send(client, token, body).status_code == 401
    same_jti = RS.token(aud(live), jti=json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["jti"])
    assert send(client, same_jti, body).status_code == 401


def test_no_or_malformed_authorization(client: httpx.Client, body: dict[str, Any]) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer x.y.z"}):
        response = client.post(PATH, json=body, headers=headers)
        assert (response.status_code, response.json()) == (401, hs.NOT_ACCEPTED)
    assert client.get("/cds-services").status_code == 401
    assert client.post(f"{PATH}/feedback", json={"feedback": []}).status_code == 401


def test_feedback_token_is_for_the_feedback_url(client: httpx.Client, live: hs.SharedService) -> None:
    feedback = hs.reference_json("spec-2.0.1/25-feedback-overridden-no-reason.json")
    wrong = client.post(f"{PATH}/feedback", json=feedback, headers=hs.bearer(ES.token(aud(live))))
    assert wrong.status_code == 401
    right = client.post(f"{PATH}/feedback", json=feedback, headers=hs.bearer(ES.token(aud(live, f"{PATH}/feedback"))))
    assert right.status_code == 404  # authenticated; the example's card was never issued, so not stored


def test_feedback_is_taken_only_from_the_client_the_card_was_issued_to(
        client: httpx.Client, live: hs.SharedService, body: dict[str, Any]) -> None:
    """Before: any trusted client could record "accepted" or "overridden" on a card issued to another
    (another issuer, or another tenant of the same issuer), and a 200 told it the card existed. Now that
    is the 404 of a card never issued, nothing is stored, and the card's own client is still heard."""
    issued = client.post(PATH, json=body, headers=hs.bearer(ES.token(aud(live), tenant="hospital-1")))
    assert issued.status_code == 200, issued.text
    card = issued.json()["cards"][0]["uuid"]
    feedback = {"feedback": [{"card": card, "outcome": "overridden", "outcomeTimestamp": "2024-04-29T10:00:00Z"}]}
    url = aud(live, f"{PATH}/feedback")
    for stranger in (RS.token(url), ES.token(url, tenant="hospital-2"), ES.token(url)):
        refused = client.post(f"{PATH}/feedback", json=feedback, headers=hs.bearer(stranger))
        assert refused.status_code == 404, refused.text
    own = client.post(f"{PATH}/feedback", json=feedback, headers=hs.bearer(ES.token(url, tenant="hospital-1")))
    assert (own.status_code, own.json()) == (200, {"stored": 1, "alreadyStored": 0})
