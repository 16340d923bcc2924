"""``prrt-cds serve``: check the configuration, prepare the database, run uvicorn (one or more workers).

Each worker process builds its own app from the same configuration file (``PRRT_CDS_CONFIG``); the
database and the replay cache are what they share.
"""

from __future__ import annotations

import copy
import logging
import os
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from cds.errors import ConfigurationError
from cds.evaluation import DEFAULT_CTCAE_VERSION
from cds.hooks.jwks import static_keys
from cds.hooks.parent_watch import SUPERVISOR_ENV
from cds.hooks.replay import MEMORY_URL
from cds.hooks.settings import CONFIG_ENV, ServiceSettings, load_settings
from cds.hooks.store import Store, StoreError
from cds.rulesets import check_tables

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
    store = Store.from_url(settings.database_url)
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
    prepare_database(settings)
    if workers > 1:
        os.environ[SUPERVISOR_ENV] = str(os.getpid())  # each worker ends when this process does
    else:
        os.environ.pop(SUPERVISOR_ENV, None)
    # access_log=False: uvicorn's would write the query string; cds.hooks.access_log writes the path only.
    uvicorn.run("cds.hooks.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_config=log_config(log_level.upper()), log_level=log_level, server_header=False,
                proxy_headers=False, access_log=False)
