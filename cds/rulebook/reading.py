"""Read one TOML table: its bytes, parsed content and content digest, and the errors that name it.

The digest (the first 12 hex digits of the SHA-256 of the file's bytes) identifies the table in every
output (``ruleset`` hashes), so it is computed from exactly the bytes that were parsed.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cds.errors import ConfigurationError


def digest(data: bytes) -> str:
    """The content digest of a table's bytes."""
    return hashlib.sha256(data).hexdigest()[:12]


def folder_digest(folder: Path) -> str:
    """The digest of every table (``*.toml``) of a folder, names and bytes, in name order: the mapping
    tables' part of the ruleset version (unit factors and default ranges change grades too)."""
    sha = hashlib.sha256()
    for path in sorted(folder.glob("*.toml")):
        sha.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()[:12]


@dataclass(frozen=True)
class TableFile:
    """A table as read: where from, its bytes and what they parse to."""

    path: Path
    data: bytes
    content: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def digest(self) -> str:
        return digest(self.data)

    def error(self, entry: str, message: str) -> ConfigurationError:
        """A ConfigurationError naming this file and the entry (a rule id, a section) it is about."""
        return entry_error(self.name, entry, message)


def entry_error(file: str, entry: str, message: str) -> ConfigurationError:
    """A ConfigurationError ``"<file>: <entry>: <message>"``."""
    return ConfigurationError(f"{file}: {entry}: {message}")


def read_table(path: Path, what: str = "table") -> TableFile:
    """Read and parse ``path``; a file that cannot be read or is not TOML is a ConfigurationError
    ``"cannot read <what> <file>: <reason>"``."""
    try:
        data = path.read_bytes()
        content = tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read {what} {path.name}: {exc}") from exc
    return TableFile(path=path, data=data, content=content)


@contextmanager
def malformed(file: str, what: str) -> Iterator[None]:
    """Turn a missing key or a value of the wrong type met while reading into a ConfigurationError
    ``"<file>: malformed <what> (<reason>)"``."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigurationError(f"{file}: malformed {what} ({exc})") from exc
