"""The composition root: settings -> store, replay cache, key sources, FHIR client, handler.

Tests hand in an ``httpx`` transport for the FHIR server and for JWK Set URLs (``MockTransport``, or
none for a loopback server) and a clock; nothing else is patched.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx
from fastapi.concurrency import run_in_threadpool

from cds import bootstrap
from cds.hooks.api.discovery import templates
from cds.hooks.fhir.client import FhirClient
from cds.hooks.fhir.prefetch import PrefetchResolver
from cds.hooks.handlers import HookHandler, utc_now
from cds.hooks.runtime.slots import EvaluationSlots
from cds.hooks.security.auth import JwtVerifier, TrustedIssuer
from cds.hooks.security.jwks import key_source
from cds.hooks.security.replay import ReplayCache, ReplayCacheError, replay_cache
from cds.hooks.settings import ServiceSettings
from cds.hooks.store import Store, redacted

logger = logging.getLogger("cds.hooks")
QUIET = ("httpx", "httpcore")  # they log request URLs at INFO, and a FHIR query URL names the patient


@dataclass
class Components:
    settings: ServiceSettings
    store: Store
    replay: ReplayCache
    verifier: JwtVerifier | None  # None: JWT verification is off
    handler: HookHandler
    clients: tuple[httpx.AsyncClient, ...]

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()
        await self.replay.close()
        self.handler.slots.close()
        self.store.dispose()


def _warm_up(ctcae_version: str) -> None:
    """Compile the rulesets and run the engine once, so the first hook call is not the slow one; then
    freeze what start-up allocated (modules, tables, models), so that full garbage collections during
    requests do not walk it again and again (they took some 50 ms each, every few requests)."""
    bootstrap.default_engine()
    from cds.evaluation import evaluate_collected
    from cds.reading import from_objects

    evaluate_collected(from_objects([{"resourceType": "Patient", "id": "warm-up"}]), ctcae_version=ctcae_version)
    gc.collect()
    gc.freeze()


async def build_components(settings: ServiceSettings, *, fhir_transport: httpx.AsyncBaseTransport | None = None,
                           jwks_transport: httpx.AsyncBaseTransport | None = None,
                           clock: Callable[[], datetime] = utc_now) -> Components:
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    store = Store.from_url(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
    await run_in_threadpool(store.create_schema)
    replay = replay_cache(settings.replay_cache_url, store)
    try:
        await replay.start()
    except ReplayCacheError as exc:  # the first claim sets the epoch instead (one second ahead)
        logger.warning("replay cache: %s; its epoch will be set by the first call", exc)
    timeout = httpx.Timeout(settings.fhir_timeout_seconds)
    fhir_http = httpx.AsyncClient(transport=fhir_transport, timeout=timeout, follow_redirects=False)
    jwks_http = httpx.AsyncClient(transport=jwks_transport, timeout=httpx.Timeout(5.0), follow_redirects=False)
    auth = settings.auth
    verifier = None
    if auth.verify_jwt:
        issuers = {
            issuer.iss: TrustedIssuer(
                iss=issuer.iss, keys=key_source(issuer, jwks_http, auth.jwks_cache_seconds, auth.jwks_refetch_seconds),
                tenants=None if issuer.tenants is None else frozenset(issuer.tenants),
                fhir_servers=tuple(issuer.fhir_servers or ()))
            for issuer in auth.issuers
        }
        verifier = JwtVerifier(issuers, replay, auth.leeway_seconds, auth.max_token_lifetime_seconds)
        if not issuers:
            logger.warning("no trusted issuer is configured: every request will be refused (401)")
    else:
        logger.warning("JWT VERIFICATION IS OFF: any caller is answered. For local trials only, never with "
                       "patient data.")
    client = FhirClient(fhir_http, page_size=settings.fhir_page_size, max_pages=settings.fhir_max_pages,
                        allowed=settings.fhir_servers, allow_private=settings.fhir_allow_private_networks,
                        max_response_bytes=settings.fhir_max_response_bytes)
    resolver = PrefetchResolver(client, templates(settings.ctcae_version), settings.fhir_timeout_seconds)
    handler = HookHandler(resolver, store, clock=clock, as_of=settings.as_of,
                          slots=EvaluationSlots(settings.evaluation_slots),
                          deadline_seconds=settings.request_deadline_seconds, max_resources=settings.max_resources,
                          ctcae_version=settings.ctcae_version)
    bootstrap.set_engine_memo_size(settings.engine_memo_size)  # the memo is kept across requests
    await run_in_threadpool(_warm_up, settings.ctcae_version)
    logger.info("CDS Hooks service ready: base %s, database %s, replay cache %s, %d trusted issuer(s)",
                settings.public_base_url, redacted(settings.database_url),
                type(replay).__name__, len(auth.issuers) if auth.verify_jwt else 0)
    return Components(settings=settings, store=store, replay=replay, verifier=verifier, handler=handler,
                      clients=(fhir_http, jwks_http))
