"""Checks across and within tables: identifiers that must be unique, names one table gives that must
exist in another (e.g. every CTCAE term the dose table names is a term of the selected CTCAE table)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from cds.errors import ConfigurationError


def duplicates(items: Iterable[str]) -> list[str]:
    """The items that appear more than once, in order of their second appearance."""
    seen: set[str] = set()
    twice: list[str] = []
    for item in items:
        if item in seen and item not in twice:
            twice.append(item)
        seen.add(item)
    return twice


def check_unique(items: Iterable[str], *, file: str, what: str = "rule id") -> None:
    """Every item once; else a ConfigurationError naming the file and the repeated items."""
    twice = duplicates(items)
    if twice:
        raise ConfigurationError(f"{file}: {what} {', '.join(twice)} appears twice")


def missing(names: Iterable[str], known: Collection[str]) -> list[str]:
    """The names that ``known`` (another table's names) does not have, each once, in order."""
    out: list[str] = []
    for name in names:
        if name not in known and name not in out:
            out.append(name)
    return out
