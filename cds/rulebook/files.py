"""Find the installed tables: the data directories ``rules/`` and ``fhir_mappings/``, and a family of
tables in one of them (e.g. every ``ctcae_v*.toml``, keyed by the version its ``[meta]`` states).

In an installed wheel the directories live inside the package (``cds/_data/``); in a source checkout
(editable install, tests) they are the top-level directories beside ``cds/``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from cds.errors import ConfigurationError

_PACKAGE = Path(__file__).resolve().parent.parent


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


def discover(pattern: str, directory: Path | None = None, key: str = "version") -> dict[str, Path]:
    """``[meta] key`` -> table file, for every file of ``directory`` (default rules/) matching
    ``pattern``, in file-name order. A file without that key, or two files stating the same one, is a
    ConfigurationError naming the files."""
    found: dict[str, Path] = {}
    for path in sorted((directory or rules_dir()).glob(pattern)):
        try:
            with path.open("rb") as handle:
                value = str(tomllib.load(handle)["meta"][key])
        except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"{path.name}: cannot read [meta] {key} ({exc})") from exc
        if value in found:
            raise ConfigurationError(f"{found[value].name} and {path.name} both state {key} {value!r}")
        found[value] = path
    return found
