"""The one condition grammar of the rule tables' ``when`` strings.

A ``when`` is one or more conditions joined by `` and ``. A condition is one of:

- ``NAME OP NUMBER``               a field against a number (``crcl < 40``, ``pct_from_nadir >= 20``);
- ``NAME OP NUMBER x REFERENCE``   a field against a multiple of ULN, LLN or baseline (``value > 3 x ULN``);
- ``NAME OP REFERENCE + NUMBER``   a field against a reference plus a number (``value > ULN + 0.5``);
- ``NAME OP SETTING``              a field against a number of the table's ``[settings]``
                                   (``delay_days >= max_delay_days``), when the table allows it;
- ``NAME``, ``not NAME``, ``NAME == true``, ``NAME == false``: a yes/no field (a flag).

OP is one of ``< <= > >= ==``; NAME is lower case with underscores, optionally ``kind:name``
(``grade:other``); REFERENCE is ``ULN``, ``LLN`` or ``baseline``. The grammar reads the form only:
each table checks which names, operators and forms it allows (``Names``) and the error names the
table file and the entry. A flag compiles to what the engine facts carry: ``== 1.0`` (set) or
``== 0.0`` (not set).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from cds.engine.model import Comparator
from cds.errors import ConfigurationError
from cds.rulebook.reading import entry_error

Reference = Literal["ULN", "LLN", "baseline"]
# How a condition was written (see the module docstring).
Form = Literal["number", "times", "plus", "setting", "flag"]

_NAME = r"[a-z_]+(?::[a-z_]+)?"
_NUMBER = r"-?\d+(?:\.\d+)?"
_OP = r"<=|>=|==|<|>"
_REFERENCE = r"ULN|LLN|baseline"
_TIMES = re.compile(rf"^({_NAME}) ({_OP}) ({_NUMBER}) x ({_REFERENCE})$")
_PLUS = re.compile(rf"^({_NAME}) ({_OP}) ({_REFERENCE}) \+ ({_NUMBER})$")
_NUMBER_FORM = re.compile(rf"^({_NAME}) ({_OP}) ({_NUMBER})$")
_BOOLEAN = re.compile(rf"^({_NAME}) == (true|false)$")
_SETTING = re.compile(rf"^({_NAME}) ({_OP}) ([a-z_]+)$")
_FLAG = re.compile(rf"^(not )?({_NAME})$")
_KEYWORDS = frozenset({"and", "not", "true", "false", "x"})


@dataclass(frozen=True)
class Comparison:
    """One condition: ``field op threshold``, the threshold a multiple of (``times``) or an offset from
    (``plus``) ``reference`` when one is given; ``setting`` names the setting a threshold was read from."""

    field: str
    op: Comparator
    threshold: float
    form: Form = "number"
    reference: Reference | None = None
    setting: str | None = None

    @property
    def is_flag(self) -> bool:
        return self.form == "flag"

    @property
    def wanted(self) -> bool:
        """For a flag: whether the condition asks for the flag to be set."""
        return self.threshold == 1.0


@dataclass(frozen=True)
class Names:
    """What one table allows in its conditions: the field names, the forms and the operators; the
    numbers a ``setting`` form may name."""

    fields: Collection[str]
    forms: Collection[str] = ("number",)  # of Form
    ops: Collection[str] = ("<", "<=", ">", ">=", "==")
    settings: Mapping[str, float] | None = None
    what: str = "condition"


def parse_condition(text: str) -> Comparison | None:
    """One condition in any form of the grammar, or None when ``text`` is not one."""
    text = text.strip()
    if match := _TIMES.match(text):
        name, op, number, reference = match.groups()
        found = Comparison(name, op, float(number), form="times", reference=reference)  # type: ignore[arg-type]
    elif match := _PLUS.match(text):
        name, op, reference, number = match.groups()
        found = Comparison(name, op, float(number), form="plus", reference=reference)  # type: ignore[arg-type]
    elif match := _NUMBER_FORM.match(text):
        name, op, number = match.groups()
        found = Comparison(name, op, float(number))  # type: ignore[arg-type]
    elif match := _BOOLEAN.match(text):
        name, value = match.groups()
        found = Comparison(name, "==", 1.0 if value == "true" else 0.0, form="flag")
    elif (match := _SETTING.match(text)) and match.group(3) not in _KEYWORDS:
        name, op, setting = match.groups()
        found = Comparison(name, op, math.nan, form="setting", setting=setting)  # type: ignore[arg-type]
    elif match := _FLAG.match(text):
        negated, name = match.groups()
        found = Comparison(name, "==", 0.0 if negated else 1.0, form="flag")
    else:
        return None
    return None if found.field in _KEYWORDS else found


def parse_when(text: str, names: Names, *, file: str, entry: str) -> tuple[Comparison, ...]:
    """Every condition of a ``when``, checked against what the table allows; anything else is a
    ConfigurationError naming ``file``, ``entry`` and the condition."""
    if not isinstance(text, str) or not text.strip():
        raise entry_error(file, entry, f"cannot read {names.what} {text!r}: not a condition")
    out = []
    for part in text.split(" and "):
        part = part.strip()
        comparison = parse_condition(part)
        problem = None if comparison is None else _problem(comparison, names)
        if comparison is None or problem is not None:
            reason = f" ({problem})" if problem else ""
            raise entry_error(file, entry, f"cannot read {names.what} {part!r}{reason}")
        if comparison.form == "setting":
            assert names.settings is not None and comparison.setting is not None
            comparison = Comparison(comparison.field, comparison.op, float(names.settings[comparison.setting]),
                                    form="setting", setting=comparison.setting)
        out.append(comparison)
    return tuple(out)


def _problem(comparison: Comparison, names: Names) -> str | None:
    if comparison.field not in names.fields:
        return f"unknown name {comparison.field!r}"
    if comparison.form not in names.forms:
        return f"this table does not allow the {comparison.form} form here"
    if comparison.op not in names.ops:
        return f"operator {comparison.op} not allowed here"
    if comparison.form == "setting" and (names.settings is None or comparison.setting not in names.settings):
        return f"{comparison.setting!r} is not a setting"
    return None


def check_flags(comparisons: tuple[Comparison, ...], flags: Collection[str], *, file: str, entry: str) -> None:
    """A yes/no field is written as a flag (``name`` / ``not name``), never as ``name == 1``; a field
    that is not yes/no is never written as a flag."""
    for c in comparisons:
        if (c.field in flags) != c.is_flag:
            kind = "a yes/no field: write it as `name` or `not name`" if c.field in flags else "not a yes/no field"
            raise ConfigurationError(f"{file}: {entry}: {c.field!r} is {kind}")
