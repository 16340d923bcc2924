"""GitHub-Flavored Markdown for a card's ``detail``: escaped text and evidence tables.

Text that comes from the record (resource ids, unit text) is escaped, so it can neither break a
table nor become a link or raw HTML in the EHR's renderer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def text(value: object) -> str:
    """Escaped inline text; ``None`` is an em dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:g}"
    elif isinstance(value, datetime):
        value = value.date().isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    flat = " ".join(str(value).split())
    return _SPECIAL.sub(r"\\\1", flat)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A pipe table; every cell is escaped."""
    lines = ["| " + " | ".join(text(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(text(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
