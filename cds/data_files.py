"""Locate the data directories ``rules/`` and ``fhir_mappings/``.

In an installed wheel they live inside the package (``cds/_data/``); in a source checkout (editable
install, tests) they are the top-level directories beside ``cds/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the directory holding the ``name`` tables (``rules`` or ``fhir_mappings``)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data directory {name!r} is not installed with prrt-cds")


def rules_dir() -> Path:
    return data_dir("rules")


def mappings_dir() -> Path:
    return data_dir("fhir_mappings")
