"""The CDS Hooks 2.0 service of prrt-cds (FastAPI): discovery, two services, feedback, audit.

    create_app(settings)      the ASGI app (tests, embedding)
    load_settings(file)       ServiceSettings from a TOML file and PRRT_CDS_* variables
    serve(...)                what ``prrt-cds serve`` runs (uvicorn)

Only this package knows HTTP (README.md, "Layout"); it evaluates through ``cds.evaluation``. Its parts:
``api/`` (HTTP), ``security/`` (who may call), ``fhir/`` (the data of a call), ``cards/``, ``runtime/``
(uvicorn and its limits); ``services.py`` is the registry of the CDS services, ``errors.py`` the one
table from a failure to its HTTP answer.
"""

from __future__ import annotations

from cds.hooks.app import create_app
from cds.hooks.settings import ServiceSettings, load_settings

__all__ = ["ServiceSettings", "create_app", "load_settings"]
