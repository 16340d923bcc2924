"""The FastAPI app: routes, error handlers, middleware, and the components built when it starts.

``create_app`` is what tests and ``prrt-cds serve`` use; ``app_from_environment`` is the factory each
uvicorn worker calls (it reads the configuration file named by ``PRRT_CDS_CONFIG``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from cds.bootstrap import check_tables
from cds.hooks.api.access_log import AccessLogMiddleware
from cds.hooks.api.components import build_components
from cds.hooks.api.middleware import GuardMiddleware
from cds.hooks.api.routes import install_error_handlers, router
from cds.hooks.handlers import utc_now
from cds.hooks.runtime.memory import MemoryTrimMiddleware
from cds.hooks.runtime.parent_watch import exit_with_supervisor
from cds.hooks.settings import CONFIG_ENV, ServiceSettings, load_settings


def create_app(settings: ServiceSettings | None = None, *, fhir_transport: httpx.AsyncBaseTransport | None = None,
               jwks_transport: httpx.AsyncBaseTransport | None = None,
               clock: Callable[[], datetime] = utc_now) -> FastAPI:
    """The ASGI app; its components are built when it starts (lifespan) and closed when it stops."""
    settings = settings or load_settings(os.environ.get(CONFIG_ENV))
    check_tables(settings.ctcae_version)  # a service never starts on rule tables that disagree
    if settings.public_base_url is None and settings.auth.verify_jwt:
        raise ValueError("public_base_url must be set when JWTs are verified (the aud of every token)")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        components = await build_components(settings, fhir_transport=fhir_transport, jwks_transport=jwks_transport,
                                            clock=clock)
        app.state.components = components
        try:
            yield
        finally:
            await components.aclose()

    app = FastAPI(title="prrt-cds CDS Hooks service", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None, redirect_slashes=False)
    # No trailing-slash redirect: Starlette builds its Location from the Host header, unauthenticated.
    app.router.redirect_slashes = False
    app.include_router(router)
    install_error_handlers(app)
    app.add_middleware(GuardMiddleware)
    app.add_middleware(MemoryTrimMiddleware)  # runs once the answer has gone
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    app.add_middleware(AccessLogMiddleware)  # outermost: every answer is logged, CORS preflights too
    return app


def app_from_environment() -> FastAPI:
    """The factory ``prrt-cds serve`` gives uvicorn: each worker reads the config file named by PRRT_CDS_CONFIG
    (and, one of several, ends when its master does)."""
    exit_with_supervisor()
    return create_app(load_settings(os.environ.get(CONFIG_ENV)))
