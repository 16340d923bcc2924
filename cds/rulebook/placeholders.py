"""Texts that take their numbers from the table's ``[settings]``, so a number is written once.

``{name}`` is the setting written as a number (``{reduced_activity_gbq}`` -> ``3.7``); ``{name:weeks}``
is a setting in days written in weeks (``{max_delay_days:weeks}`` -> ``16``; it must be whole weeks).
A placeholder naming no numeric setting is a ConfigurationError naming the file and the entry.
Numbers a text quotes from a cited document (the label's "every 8 weeks") are the document's, not a
setting, and stay written out; a number of this project's own rules is always a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from cds.rulebook.reading import entry_error

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_FORMAT = re.compile(r"^([a-z_][a-z0-9_]*)(?::(weeks))?$")


def _number(value: float) -> str:
    return f"{value:g}"


def fill(text: str, settings: Mapping[str, Any], *, file: str, entry: str,
         keep: Collection[str] = frozenset()) -> str:
    """``text`` with every ``{setting}`` placeholder replaced by the setting's value; the placeholders
    named in ``keep`` (values filled later, when the text is shown) are left as they are."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) in keep:
            return match.group(0)
        spec = _FORMAT.match(match.group(1))
        name = spec.group(1) if spec else match.group(1)
        value = settings.get(name) if spec else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise entry_error(file, entry, f"placeholder {match.group(0)} names no number of [settings]")
        assert spec is not None
        if spec.group(2) == "weeks":
            if value % 7:
                raise entry_error(file, entry, f"placeholder {match.group(0)}: {name} is not whole weeks")
            return _number(value / 7)
        return _number(value)

    return _PLACEHOLDER.sub(replace, text)
