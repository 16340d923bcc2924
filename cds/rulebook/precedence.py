"""Explicit precedence of the rows of a table where the first row that holds decides.

Each such row states an integer ``priority``, unique within its list; the loader returns the rows
sorted by it, lowest number first (the row that decides when several hold). File order is then only
layout: rows written in another order with the same priorities give the same decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cds.errors import ConfigurationError


def by_priority(rows: Sequence[dict[str, Any]], *, file: str, section: str, key: str = "rule") -> list[dict[str, Any]]:
    """``rows`` sorted by their ``priority``, lowest first. A row without an integer priority, or two
    rows with the same one, is a ConfigurationError naming the file, the list and the rows."""
    holder: dict[int, str] = {}
    for row in rows:
        name = str(row.get(key, "?"))
        priority = row.get("priority")
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise ConfigurationError(f"{file}: [[{section}]] row {name}: no integer priority")
        if priority in holder:
            raise ConfigurationError(
                f"{file}: [[{section}]] rows {holder[priority]} and {name} have the same priority {priority}")
        holder[priority] = name
    return sorted(rows, key=lambda row: int(row["priority"]))
