"""Authenticate the CDS client: the signed JWT in ``Authorization: Bearer`` (CDS Hooks 2.0.1 "Trusting
CDS Clients" and the best practices' "JWT" checklist), checked with PyJWT.

In order: an asymmetric ``alg`` (ES*, RS*, PS*, EdDSA; ``none`` and HMAC are refused), a ``kid``; an
``iss`` on the allow-list; the issuer's key for that ``kid``, of the algorithm's key type; the
signature; ``aud`` equal to the URL of the endpoint called; ``exp`` not past, ``iat`` not in the
future, ``jti`` present (``nbf`` honoured when present; ``sub``, ``tenant`` and other claims
tolerated); a lifetime of at most ``max_token_lifetime_seconds``; the ``tenant`` allow-list when the
issuer has one; then the ``jti`` is claimed in the shared replay cache, so a token works once.
Any failure is a bare 401: the reason goes to the log (never the token), not to the caller.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import jwt

from cds.errors import ServiceError
from cds.hooks.security.jwks import KeySource
from cds.hooks.security.replay import ReplayCache

logger = logging.getLogger("cds.hooks.auth")

ALGORITHMS = frozenset({"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"})
KEY_TYPES = {"ES": "EC", "RS": "RSA", "PS": "RSA", "Ed": "OKP"}
MAX_TOKEN_CHARS = 16_384
REQUIRED = ["iss", "aud", "exp", "iat", "jti"]


class Unauthorized(ServiceError):  # an outcome (401), not a program error
    """The request is not authenticated; the message is for the log only."""


@dataclass(frozen=True)
class Caller:
    """Who called: the verified issuer, tenant and token id (all None when verification is off)."""

    iss: str | None = None
    tenant: str | None = None
    jti: str | None = None
    fhir_servers: tuple[str, ...] = ()  # the FHIR servers this issuer's requests may name (settings)


@dataclass(frozen=True)
class TrustedIssuer:
    iss: str
    keys: KeySource
    tenants: frozenset[str] | None = None
    fhir_servers: tuple[str, ...] = ()


def bearer_token(authorization: str | None) -> str:
    if authorization is None:
        raise Unauthorized("no Authorization header")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("not a Bearer token")
    if len(token) > MAX_TOKEN_CHARS:
        raise Unauthorized("token too long")
    return token


class JwtVerifier:
    def __init__(self, issuers: Mapping[str, TrustedIssuer], replay: ReplayCache, leeway_seconds: int,
                 max_lifetime_seconds: int) -> None:
        self.issuers = dict(issuers)
        self.replay = replay
        self.leeway = leeway_seconds
        self.max_lifetime = max_lifetime_seconds

    async def verify(self, authorization: str | None, audience: str) -> Caller:
        """The caller, or Unauthorized. ``audience``: the exact URL of the endpoint called."""
        token = bearer_token(authorization)
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            raise Unauthorized("malformed token") from None
        alg, kid, typ = header.get("alg"), header.get("kid"), header.get("typ")
        if alg not in ALGORITHMS:
            raise Unauthorized("algorithm not allowed")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("no kid")
        if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
            raise Unauthorized("typ is not JWT")
        iss = unverified.get("iss")
        issuer = self.issuers.get(iss) if isinstance(iss, str) else None
        if issuer is None:
            raise Unauthorized("issuer not trusted")
        key = await issuer.keys.key(kid)
        if key is None:
            raise Unauthorized(f"unknown kid for issuer {issuer.iss}")
        if key.kty != KEY_TYPES[alg[:2]] or (key.alg is not None and key.alg != alg):
            raise Unauthorized(f"key of issuer {issuer.iss} does not fit the algorithm")
        try:
            claims = jwt.decode(
                token, key.jwk.key, algorithms=[alg], audience=audience, issuer=issuer.iss, leeway=self.leeway,
                options={"require": REQUIRED, "verify_signature": True, "verify_exp": True, "verify_iat": True,
                         "verify_nbf": True, "verify_aud": True, "verify_iss": True},
            )
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"{type(exc).__name__} for issuer {issuer.iss}") from None
        return await self._accept(issuer, claims)

    async def _accept(self, issuer: TrustedIssuer, claims: dict[str, object]) -> Caller:
        jti, tenant = claims.get("jti"), claims.get("tenant")
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(jti, str) or not jti or len(jti) > 256:
            raise Unauthorized(f"bad jti from issuer {issuer.iss}")
        if not isinstance(exp, int | float) or not isinstance(iat, int | float) or isinstance(exp, bool):
            raise Unauthorized(f"bad exp or iat from issuer {issuer.iss}")
        if exp - iat > self.max_lifetime:
            raise Unauthorized(f"token lifetime too long from issuer {issuer.iss}")
        if issuer.tenants is not None and tenant not in issuer.tenants:
            raise Unauthorized(f"tenant not trusted for issuer {issuer.iss}")
        key = hashlib.sha256(f"{issuer.iss}\0{jti}".encode()).hexdigest()
        if not await self.replay.claim(key, float(exp) + self.leeway, float(iat)):
            raise Unauthorized(f"replayed jti (or issued before the replay cache started) from issuer {issuer.iss}")
        return Caller(iss=issuer.iss, tenant=tenant if isinstance(tenant, str) else None, jti=jti,
                      fhir_servers=issuer.fhir_servers)
