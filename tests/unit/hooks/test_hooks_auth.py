"""JWT verification of the CDS client (CDS Hooks 2.0.1 "Trusting CDS Clients", best practices "JWT")."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path
from typing import Any

import hooks_support as hs
import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cds.hooks.security.auth import JwtVerifier, TrustedIssuer, Unauthorized, bearer_token
from cds.hooks.security.jwks import RemoteKeys, StaticKeys, parse_jwks
from cds.hooks.security.replay import MemoryReplayCache

AUD = "https://cds.example.test/cds-services/prrt-toxicity"
ES, RS = hs.signers()["ES384"], hs.signers()["RS384"]


def verifier(tenants: frozenset[str] | None = None) -> JwtVerifier:
    issuers = {s.iss: TrustedIssuer(s.iss, StaticKeys(parse_jwks(hs.jwks(s))), tenants) for s in (ES, RS)}
    return JwtVerifier(issuers, MemoryReplayCache(), leeway_seconds=30, max_lifetime_seconds=3600)


def verify(token: str, check: JwtVerifier | None = None, audience: str = AUD) -> Any:
    return asyncio.run((check or verifier()).verify(f"Bearer {token}", audience))


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return ".".join([part(json.dumps(header).encode()), part(json.dumps(claims).encode()), part(signature)])


@pytest.mark.parametrize("signer", [ES, RS], ids=["ES384", "RS384"])
def test_valid_tokens_pass(signer: hs.Signer) -> None:
    caller = verify(signer.token(AUD, tenant="hospital-1", sub="ehr-client", nbf=int(time.time()) - 5))
    assert caller.iss == signer.iss and caller.tenant == "hospital-1"


def test_an_aud_list_holding_the_endpoint_passes() -> None:
    assert verify(ES.token(AUD, aud=[AUD])).iss == ES.iss


def _refused(token: str, check: JwtVerifier | None = None, audience: str = AUD) -> None:
    with pytest.raises(Unauthorized):
        verify(token, check, audience)


@pytest.mark.parametrize("change", [
    {"aud": "https://cds.example.test/cds-services"},
    {"aud": AUD + "/"},
    {"aud": ["https://other.example.test/cds-services/prrt-toxicity"]},
    {"lifetime": -120},  # expired beyond the leeway
    {"iat_offset": 600},  # issued in the future
    {"iss": "https://unknown.example.test"},
    {"jti": None}, {"exp": None}, {"iat": None}, {"iss": None}, {"aud": None},
    {"lifetime": 7200},  # longer than an hour
    {"nbf": "in 600 s"},  # not yet valid: the time is taken when the test runs, not when it is collected
    {"jti": ""},
], ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items())[:40])
def test_bad_claims_are_refused(change: dict[str, Any]) -> None:
    if change.get("nbf") == "in 600 s":
        change = {"nbf": int(time.time()) + 600}
    _refused(ES.token(AUD, **change))


def test_unknown_kid_is_refused() -> None:
    _refused(ES.token(AUD, headers={"kid": "not-a-key"}))


def test_alg_none_is_refused() -> None:
    _refused(unsigned({"alg": "none", "typ": "JWT", "kid": ES.kid}, ES.claims(AUD)))


def test_hs256_signed_with_the_public_key_is_refused() -> None:
    public_pem = ES.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    import hashlib
    import hmac

    header = {"alg": "HS256", "typ": "JWT", "kid": ES.kid}
    signing_input = unsigned(header, ES.claims(AUD)).rsplit(".", 1)[0]
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    _refused(signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode())


def test_a_signature_by_another_key_is_refused() -> None:
    impostor = hs.Signer(ES.iss, ES.kid, "ES384", ec.generate_private_key(ec.SECP384R1()))
    _refused(impostor.token(AUD))


def test_an_algorithm_that_does_not_fit_the_key_is_refused() -> None:
    _refused(RS.token(AUD, headers={"kid": RS.kid, "alg": "PS384"}))


def test_a_replayed_jti_is_refused() -> None:
    check = verifier()
    token = ES.token(AUD)
    verify(token, check)
    _refused(token, check)
    other = ES.token(AUD)
    assert verify(other, check).jti != verify(RS.token(AUD), check).jti


def test_tenants_are_checked_when_the_issuer_lists_them() -> None:
    check = verifier(frozenset({"hospital-1"}))
    assert verify(ES.token(AUD, tenant="hospital-1"), check).tenant == "hospital-1"
    _refused(ES.token(AUD, tenant="hospital-2"), check)
    _refused(ES.token(AUD), check)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer not.a.jwt", "Bearer " + "a" * 20000])
def test_malformed_authorization_is_refused(header: str | None) -> None:
    with pytest.raises(Unauthorized):
        asyncio.run(verifier().verify(header, AUD))


def test_bearer_scheme_is_case_insensitive() -> None:
    assert bearer_token("bearer abc.def.ghi") == "abc.def.ghi"


def test_jwks_never_loads_symmetric_or_private_material() -> None:
    document = hs.jwks(ES)
    document["keys"].append({"kty": "oct", "kid": "shared", "k": "c2VjcmV0"})
    document["keys"].append({"kty": "EC", "crv": "P-384", "x": "bad", "y": "bad", "kid": "broken"})
    keys = parse_jwks(document)
    assert set(keys) == {ES.kid}


def test_remote_keys_are_cached_and_refetched_for_an_unknown_kid_at_most_so_often() -> None:
    fetched: list[str] = []
    served = {"keys": []}

    def handle(request: httpx.Request) -> httpx.Response:
        fetched.append(str(request.url))
        return httpx.Response(200, json=served)

    now = [1000.0]

    async def scenario() -> list[bool]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
            keys = RemoteKeys("https://ehr.example.test/jwks", http, cache_seconds=300, refetch_seconds=30,
                              clock=lambda: now[0])
            found = [await keys.key("es-1") is not None]  # fetched: empty
            served.update(hs.jwks(ES))
            found.append(await keys.key("es-1") is not None)  # too soon to fetch again
            now[0] += 31
            found.append(await keys.key("es-1") is not None)  # refetched: found
            found.append(await keys.key("es-1") is not None)  # cached
            return found

    assert asyncio.run(scenario()) == [False, False, True, True]
    assert len(fetched) == 2


def test_discovery_and_services_need_a_token_for_their_own_url(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "jwks.json").write_text(json.dumps(hs.jwks(ES)))
    auth = {"verify_jwt": True, "issuers": [{"iss": ES.iss, "jwks_file": str(folder / "jwks.json")}]}
    with hs.in_process(folder, auth=auth) as running:
        base = "http://testserver"
        assert running.get("/cds-services").status_code == 401
        ok = running.get("/cds-services", headers=hs.bearer(ES.token(f"{base}/cds-services")))
        assert ok.status_code == 200
        wrong = running.get("/cds-services", headers=hs.bearer(ES.token(f"{base}/cds-services/prrt-toxicity")))
        assert (wrong.status_code, wrong.headers["www-authenticate"]) == (401, "Bearer")
        assert wrong.json() == {"resourceType": "OperationOutcome", "detail": "the token was not accepted",
                                "issue": [{"severity": "error", "code": "login",
                                           "diagnostics": "the token was not accepted"}]}
        feedback_url = f"{base}/cds-services/prrt-toxicity/feedback"
        body = hs.reference_json("spec-2.0.1/25-feedback-overridden-no-reason.json")
        assert running.post("/cds-services/prrt-toxicity/feedback", json=body,  # authenticated; no such card
                            headers=hs.bearer(ES.token(feedback_url))).status_code == 404
        assert running.post("/cds-services/prrt-toxicity", content=b"{bad",
                            headers=hs.bearer(ES.token(f"{base}/cds-services/prrt-toxicity"))).status_code == 400
        assert running.post("/cds-services/prrt-toxicity", content=b"{bad").status_code == 401
