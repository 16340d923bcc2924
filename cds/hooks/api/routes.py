"""Thin HTTP routes (CDS Hooks 2.0.1): discovery, a service call, feedback; plus a health check
(``/healthz``: the process answers, never waits on anything) and a readiness check (``/readyz``: the
database answers, within ``database_timeout_seconds``).

Each route authenticates (dependency), reads the JSON body itself (so that a bad body is a 400, and
only after the caller is known), and hands over to the service layer. Failures become status codes
through one table (``cds.hooks.errors.ANSWERS``) and the one handler installed here.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from cds.hooks.api.components import Components
from cds.hooks.api.discovery import discovery_document
from cds.hooks.errors import ANSWERS, BadRequest, NotAuthenticated, PayloadTooLarge, Unavailable, answer_for, outcome
from cds.hooks.security.auth import Caller, Unauthorized
from cds.hooks.security.replay import ReplayCacheError
from cds.hooks.services import SERVICES
from cds.hooks.store import Client, StoreError
from cds.jsonio import JsonInputError, loads_bounded

logger = logging.getLogger("cds.hooks")
router = APIRouter()
# Bodies up to this size are parsed on the event loop (about 1 ms for 225 KiB, less than a thread hop
# under load); bigger ones in a thread.
PARSE_INLINE_BYTES = 1_000_000


def components(request: Request) -> Components:
    found: Components = request.app.state.components
    return found


Parts = Annotated[Components, Depends(components)]


async def caller(request: Request, parts: Parts) -> Caller:
    verifier = parts.verifier
    if verifier is None:
        return Caller()
    audience = parts.settings.base_url() + request.url.path
    try:
        return await verifier.verify(request.headers.get("authorization"), audience)
    except Unauthorized as exc:
        logger.info("401: %s", exc)
        raise NotAuthenticated from None
    except ReplayCacheError as exc:
        logger.error("replay cache: %s", exc)
        raise Unavailable("authentication cannot be checked now") from None


Authenticated = Annotated[Caller, Depends(caller)]


def client_of(who: Caller) -> Client:
    """The client a card is issued to, and whose feedback on it is taken (docs/outputs.md, feedback)."""
    return Client(issuer=who.iss, tenant=who.tenant)


async def read_json(request: Request, limit: int) -> Any:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge("the body is too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge("the body is too large")
        chunks.append(chunk)
    data = b"".join(chunks)
    try:  # a big body in a thread: parsing many megabytes takes time the event loop cannot give
        body = loads_bounded(data) if len(data) <= PARSE_INLINE_BYTES else await run_in_threadpool(loads_bounded, data)
    except JsonInputError as exc:  # duplicate keys, NaN, overlong numbers, bad UTF-8, too deep
        if exc.reason in ("not JSON", "Extra data", "not UTF-8 JSON"):
            raise BadRequest("the body is not JSON") from None
        raise BadRequest(f"the body is not acceptable JSON: {exc.reason}") from None
    return body


@router.get("/cds-services")
async def discovery(_: Authenticated, parts: Parts) -> JSONResponse:
    return JSONResponse(discovery_document(SERVICES.values(), parts.settings.ctcae_version))


@router.post("/cds-services/{service_id}")
async def call_service(service_id: str, request: Request, who: Authenticated, parts: Parts) -> JSONResponse:
    body = await read_json(request, parts.settings.max_body_bytes)
    return JSONResponse(await parts.handler.call(service_id, body, who.fhir_servers, client_of(who)))


@router.post("/cds-services/{service_id}/feedback")
async def feedback(service_id: str, request: Request, who: Authenticated, parts: Parts) -> JSONResponse:
    body = await read_json(request, parts.settings.max_body_bytes)
    return JSONResponse(await parts.handler.feedback(service_id, body, client_of(who)))


@router.get("/healthz", include_in_schema=False)
async def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz", include_in_schema=False)
async def ready(parts: Parts) -> JSONResponse:
    try:
        await run_in_threadpool(parts.store.ready)
    except StoreError as exc:
        logger.warning("not ready: %s", exc)
        raise Unavailable("the database does not answer") from None
    return JSONResponse({"status": "ready"})


def install_error_handlers(app: FastAPI) -> None:
    """Every error is an OperationOutcome (errors.outcome), its status from ``errors.ANSWERS``; a 401 says only
    that the token was not accepted."""

    async def failure(_: Request, exc: Exception) -> Response:
        found = answer_for(exc)
        if found.status >= 500:
            logger.error("answered %d: %s", found.status, exc)
        text = str(exc) if found.text is None else found.text
        return JSONResponse(outcome(found.status, text), status_code=found.status, headers=found.headers or None)

    async def invalid(_: Request, __: Exception) -> Response:
        return JSONResponse(outcome(400, "the request does not have the shape CDS Hooks defines"), status_code=400)

    async def http_error(_: Request, exc: Exception) -> Response:
        # Starlette's own answers (no such path, method not allowed): a fixed text per status, never
        # the path asked for; its headers (Allow) kept.
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        headers = exc.headers if isinstance(exc, StarletteHTTPException) else None
        text = {404: "no such endpoint", 405: "method not allowed"}.get(status, "the request cannot be answered")
        return JSONResponse(outcome(status, text), status_code=status, headers=headers)

    for failed in ANSWERS:  # cds.hooks.errors: the one table of statuses
        app.add_exception_handler(failed, failure)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
