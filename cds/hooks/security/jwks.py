"""Public keys of the trusted CDS clients: a JWK Set per issuer, from the configuration or a URL.

Best practices, "JWT": a key published at a URL is kept in a rotating cache; a ``kid`` not in the
cache makes one re-fetch, at most once per ``jwks_refetch_seconds`` (so unknown kids cannot be used
to make the service hammer the client's key server). Symmetric keys (``kty: oct``) are never loaded:
CDS Hooks 2.0.1 forbids HMAC-signed JWTs. The ``jku`` header of a token is never followed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import jwt

from cds.errors import ConfigurationError
from cds.hooks.settings import IssuerSettings

logger = logging.getLogger("cds.hooks.auth")


@dataclass(frozen=True)
class PublicKey:
    jwk: jwt.PyJWK
    kty: str
    alg: str | None  # the JWK's own "alg", when it names one


class KeySource(Protocol):
    async def key(self, kid: str) -> PublicKey | None: ...


def parse_jwks(data: Any) -> dict[str, PublicKey]:
    """kid -> key of a JWK Set; unusable, symmetric and kid-less keys are left out."""
    keys: dict[str, PublicKey] = {}
    entries = data.get("keys") if isinstance(data, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") not in ("EC", "RSA", "OKP"):
            continue
        kid, alg = entry.get("kid"), entry.get("alg")
        if not isinstance(kid, str) or not kid or entry.get("use", "sig") != "sig":
            continue
        public = {name: value for name, value in entry.items() if name not in ("d", "p", "q", "dp", "dq", "qi")}
        try:
            keys[kid] = PublicKey(jwk=jwt.PyJWK(public), kty=entry["kty"], alg=alg if isinstance(alg, str) else None)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            continue
    return keys


class StaticKeys:
    def __init__(self, keys: dict[str, PublicKey]) -> None:
        self.keys = keys

    async def key(self, kid: str) -> PublicKey | None:
        return self.keys.get(kid)


class RemoteKeys:
    """A JWK Set fetched from ``url`` and cached; re-fetched when stale or when a kid is unknown."""

    def __init__(self, url: str, http: httpx.AsyncClient, cache_seconds: int, refetch_seconds: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.url, self.http, self.clock = url, http, clock
        self.cache_seconds, self.refetch_seconds = cache_seconds, refetch_seconds
        self.keys: dict[str, PublicKey] = {}
        self.fetched_at: float | None = None
        self.tried_at: float | None = None
        self._lock = asyncio.Lock()

    def _due(self, kid: str) -> bool:
        now = self.clock()
        if self.tried_at is not None and now - self.tried_at < self.refetch_seconds:
            return False
        stale = self.fetched_at is None or now - self.fetched_at >= self.cache_seconds
        return stale or kid not in self.keys

    async def key(self, kid: str) -> PublicKey | None:
        if self._due(kid):
            async with self._lock:
                if self._due(kid):
                    await self._fetch()
        return self.keys.get(kid)

    async def _fetch(self) -> None:
        self.tried_at = self.clock()
        try:
            response = await self.http.get(self.url, headers={"Accept": "application/json"})
            response.raise_for_status()
            keys = parse_jwks(response.json())
        except (httpx.HTTPError, ValueError):
            logger.warning("JWK Set could not be fetched from a configured jwks_url; keeping the cached keys")
            return
        self.keys, self.fetched_at = keys, self.clock()


def static_keys(issuer: IssuerSettings) -> StaticKeys:
    """The keys written in the configuration (``jwks`` or ``jwks_file``). Raises ConfigurationError."""
    if issuer.jwks_file is not None:
        try:
            data = json.loads(Path(issuer.jwks_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"issuer {issuer.iss}: cannot read jwks_file ({type(exc).__name__})") from exc
    else:
        data = issuer.jwks
    keys = parse_jwks(data)
    if not keys:
        raise ConfigurationError(f"issuer {issuer.iss}: the JWK Set has no usable public signing key")
    return StaticKeys(keys)


def key_source(issuer: IssuerSettings, http: httpx.AsyncClient, cache_seconds: int,
               refetch_seconds: int) -> KeySource:
    if issuer.jwks_url is not None:
        return RemoteKeys(issuer.jwks_url, http, cache_seconds, refetch_seconds)
    return static_keys(issuer)
