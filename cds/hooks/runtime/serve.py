"""``prrt-cds serve``: check the configuration, prepare the database, run uvicorn (one or more workers).

Each worker process builds its own app from the same configuration file (``PRRT_CDS_CONFIG``); the
database and the replay cache are what they share.
"""

from __future__ import annotations

import copy
import logging
import os
import resource
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from cds.bootstrap import check_tables
from cds.errors import ConfigurationError
from cds.evaluation import DEFAULT_CTCAE_VERSION
from cds.hooks.runtime.connections import PROTOCOL
from cds.hooks.runtime.parent_watch import SUPERVISOR_ENV
from cds.hooks.security.jwks import static_keys
from cds.hooks.security.replay import MEMORY_URL
from cds.hooks.settings import CONFIG_ENV, ServiceSettings, load_settings
from cds.hooks.store import Store, StoreError

logger = logging.getLogger("cds.hooks")


def log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's logging, plus the service's own logger; httpx stays quiet (its INFO lines hold URLs)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["cds"] = {"handlers": ["default"], "level": level, "propagate": False}
    for name in ("httpx", "httpcore"):
        config["loggers"][name] = {"handlers": ["default"], "level": "WARNING", "propagate": False}
    return config


def check(settings: ServiceSettings, workers: int) -> None:
    """Refuse a configuration that cannot work, before any worker starts. Raises ConfigurationError."""
    check_tables(DEFAULT_CTCAE_VERSION)  # the rule tables' links (a dose class naming an unknown CTCAE term)
    if workers > 1 and settings.replay_cache_url == MEMORY_URL:
        raise ConfigurationError("replay_cache_url = memory:// keeps JWT ids per process: use one worker, the "
                                 "database (unset) or Redis with several")
    if settings.auth.verify_jwt:
        for issuer in settings.auth.issuers:
            if issuer.jwks_url is None:
                static_keys(issuer)  # read and checked now, not in each worker


def prepare_database(settings: ServiceSettings) -> None:
    """Create the tables once, before the workers start (they would race to create them)."""
    store = Store.from_url(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
    try:
        store.create_schema()
    except Exception as exc:
        raise StoreError(f"the database cannot be prepared ({type(exc).__name__})") from None
    finally:
        store.dispose()


def serve(host: str, port: int, config_file: Path | None, workers: int = 1, log_level: str = "info") -> None:
    if config_file is not None:
        os.environ[CONFIG_ENV] = str(config_file.resolve())
    settings = load_settings(config_file)
    if settings.public_base_url is None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        os.environ["PRRT_CDS_PUBLIC_BASE_URL"] = f"http://{shown}:{port}"
        settings = load_settings(config_file)
    check(settings, workers)
    enough_descriptors(settings.max_connections)
    prepare_database(settings)
    if workers > 1:
        os.environ[SUPERVISOR_ENV] = str(os.getpid())  # each worker ends when this process does
    else:
        os.environ.pop(SUPERVISOR_ENV, None)
    # http=PROTOCOL: uvicorn's httptools protocol with header and body deadlines and the connection cap
    # (cds/hooks/runtime/connections.py); uvicorn's own limit_concurrency is not used: it counts idle
    # connections too, so that they would make valid calls fail with 503 instead of being closed.
        # access_log=False: uvicorn's would write the query string; cds.hooks.api.access_log writes the path only.
    uvicorn.run("cds.hooks.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_config=log_config(log_level.upper()), log_level=log_level, server_header=False,
                proxy_headers=False, access_log=False, http=PROTOCOL,
                timeout_keep_alive=settings.keep_alive_seconds)



DESCRIPTORS_BESIDE_CONNECTIONS = 256  # database pool, Redis, log files, the listening socket, imports


def enough_descriptors(max_connections: int) -> None:
    """Each worker may hold ``max_connections`` sockets: raise the soft limit of open files to fit (the
    workers inherit it), or refuse to start. Without it the limit, not the cap, decides, and a worker
    that runs out of descriptors stops accepting every connection, valid ones included."""
    needed = max_connections + DESCRIPTORS_BESIDE_CONNECTIONS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        if raised < needed:
            raise ConfigurationError(f"max_connections = {max_connections} needs {needed} open files per worker; "
                                     f"the limit is {raised} (ulimit -n): lower max_connections or raise it")
