"""An independent, plain-Python reading of ``rules/ctcae_v5.toml``: the oracle of the CTCAE property tests.

It shares no code with ``cds.ctcae`` / ``cds.ctcae_table``: it reads the TOML tables itself (numbers as
``Decimal``), parses the "when" strings with its own small tokenizer, and compares in exact decimal
arithmetic on the numbers *as written* (a float input is read as the shortest decimal that prints as
it, ``Decimal(repr(x))``). It does not round to 12 significant digits: a value exactly on a threshold
is on it; anything else is on one side. Unit conversion multiplies by the factor written in
``fhir_mappings/analytes.toml``, exactly.

Semantics, from the header of the table:

- a result is graded in exactly one criterion set: the ``[[term.conventional]]`` set written in the
  unit it was reported in (the same unit: the same factor in ``fhir_mappings/analytes.toml``), else
  the SI set. In the SI set a value reported in another unit than the canonical one (a factor other
  than 1) is converted, and the oracle says so (``converted_from``) when the term has a ``unit``
  (a term without one is graded on ratios or a dimensionless value: nothing depends on the unit);
- the grade is the highest grade whose criterion is met; none met: 0;
- a criterion whose input (ULN, LLN, baseline) is missing is not evaluable: if no criterion is met
  and a non-``optional`` criterion was not evaluable, the grade is None (with the missing inputs);
  an ``optional`` criterion with a missing input simply does not apply;
- ``requires``: a missing required input means the term is not graded (None);
- ``baseline = "normal"``: the criterion applies when the baseline is not abnormal (a missing baseline
  counts as normal); ``"abnormal"``: it applies only when there is a baseline and it was abnormal;
- a limit or baseline that is zero or negative cannot scale a criterion: it counts as missing
  (a convention of the engine, ``cds.ctcae._positive``, not written in the table's header);
- the baseline result itself, and any result before it (``is_baseline``), is graded as if the
  baseline were normal and without the criteria that compare with the baseline: they neither apply nor
  block (``cds.ctcae._inputs``, commit cf1eaa0; not written in the table's header either).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "rules" / "ctcae_v5.toml"
ANALYTES = ROOT / "fhir_mappings" / "analytes.toml"

INPUTS = ("ULN", "LLN", "baseline")
OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
PRECISION = 60  # digits of every decimal operation; the inputs have at most 17


@dataclass(frozen=True)
class Cond:
    """``lhs op rhs``. lhs: ``value`` or ``pct``; rhs: ``number`` [x ``scale``] or ``ULN +`` number."""

    lhs: str  # "value" | "pct"
    op: str
    number: Decimal
    scale: str | None = None  # None (absolute), "ULN", "LLN", "baseline", or "ULN+" (offset above ULN)

    @property
    def needs(self) -> str | None:
        if self.lhs == "pct":
            return "baseline"
        if self.scale == "ULN+":
            return "ULN"
        return self.scale


@dataclass(frozen=True)
class Crit:
    rule: str
    grade: int
    conds: tuple[Cond, ...]
    baseline_state: str | None
    optional: bool

    @property
    def needs(self) -> frozenset[str]:
        needs = {c.needs for c in self.conds if c.needs is not None}
        if self.baseline_state == "abnormal":
            needs.add("baseline")
        return frozenset(needs)


@dataclass(frozen=True)
class OTerm:
    id: str
    analyte: str
    requires: frozenset[str]
    sets: dict[str, tuple[Crit, ...]]  # "si" or a conventional unit spelling -> criteria
    unit: str | None  # the SI set's unit; None: ratios or dimensionless values only


@dataclass(frozen=True)
class OracleGrade:
    grade: int | None
    rules: frozenset[str] = frozenset()  # every rule met at the reported grade (any of them may be cited)
    missing: frozenset[str] = frozenset()  # inputs whose absence made the grade None
    sets: tuple[str, ...] = ()  # the criterion set the lab was graded in (one)
    ungradable: bool = False  # the unit is not convertible
    converted_from: str | None = None  # the reported unit, when graded on the SI set after conversion


def _number(token: str) -> Decimal:
    body = token[1:] if token.startswith("-") else token
    whole, _, frac = body.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()):
        raise ValueError(f"not a plain decimal number: {token!r}")
    return Decimal(token)


def parse_when(text: str) -> tuple[Cond, ...]:
    """The table's "when" grammar, read token by token (not with the engine's regular expressions)."""
    conds = []
    for part in text.split(" and "):
        t = part.split()
        if len(t) < 3 or t[1] not in OPS:
            raise ValueError(f"cannot read {text!r}")
        if t[0] == "pct_change_from_baseline" and len(t) == 3:
            conds.append(Cond("pct", t[1], _number(t[2])))
        elif t[0] != "value":
            raise ValueError(f"cannot read {text!r}")
        elif len(t) == 3:
            conds.append(Cond("value", t[1], _number(t[2])))
        elif len(t) == 5 and t[3] == "x" and t[4] in INPUTS:
            conds.append(Cond("value", t[1], _number(t[2]), t[4]))
        elif len(t) == 5 and t[2] == "ULN" and t[3] == "+":
            conds.append(Cond("value", t[1], _number(t[4]), "ULN+"))
        else:
            raise ValueError(f"cannot read {text!r}")
    return tuple(conds)


def _crits(raw: list[dict[str, Any]]) -> tuple[Crit, ...]:
    return tuple(
        Crit(
            rule=entry["rule"], grade=int(entry["grade"]), conds=parse_when(entry["when"]),
            baseline_state=entry.get("baseline"), optional=bool(entry.get("optional", False)),
        )
        for entry in raw
    )


@cache
def terms() -> dict[str, OTerm]:
    raw = tomllib.loads(TABLE.read_text("utf-8"), parse_float=Decimal)
    out = {}
    for entry in raw["term"]:
        sets = {"si": _crits(entry["criteria"])}
        for conventional in entry.get("conventional", []):
            sets[conventional["unit"]] = _crits(conventional["criteria"])
        out[entry["id"]] = OTerm(
            id=entry["id"], analyte=entry["analyte"], requires=frozenset(entry.get("requires", [])), sets=sets,
            unit=entry.get("unit"),
        )
    return out


def terms_for(analyte: str) -> list[OTerm]:
    return [t for t in terms().values() if t.analyte == analyte]


@cache
def analyte_table() -> dict[str, dict[str, Any]]:
    raw = tomllib.loads(ANALYTES.read_text("utf-8"), parse_float=Decimal)
    raw.pop("meta", None)
    return raw


def canonical_unit(analyte: str) -> str:
    return str(analyte_table()[analyte]["canonical_unit"])


def units(analyte: str) -> dict[str, Decimal]:
    """Unit spelling -> exact factor to the canonical unit."""
    return {u: Decimal(f) for u, f in analyte_table()[analyte]["units"].items()}


def factor(analyte: str, unit: str | None) -> Decimal | None:
    """Exact spelling first, then ignoring case and surrounding blanks (as the mapping tables say)."""
    table = units(analyte)
    key = (unit or "").strip()
    if key in table:
        return table[key]
    folded = {u.strip().lower(): f for u, f in table.items()}
    return folded.get(key.lower())


def default_range(analyte: str, sex: str | None) -> tuple[Decimal, Decimal] | None:
    """The default (LLN, ULN) in the canonical unit: by sex, else "any"; sex unknown and ranges by sex
    only: the narrowest (highest LLN, lowest ULN); no range at all: None."""
    ranges = analyte_table()[analyte].get("default_range", {})
    if sex in ("male", "female") and sex in ranges:
        pair = ranges[sex]
    elif "any" in ranges:
        pair = ranges["any"]
    elif ranges:
        pairs = [ranges[s] for s in ("male", "female") if s in ranges]
        pair = [max(p[0] for p in pairs), min(p[1] for p in pairs)]
    else:
        return None
    return Decimal(pair[0]), Decimal(pair[1])


def dec(x: float | int | str | Decimal) -> Decimal:
    """A number as written: floats by their shortest repr."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(x, float):
        return Decimal(repr(x))
    return Decimal(x)


def _usable(x: Decimal | None) -> Decimal | None:
    return x if x is not None and x > 0 else None


def _met(cond: Cond, value: Decimal, have: dict[str, Decimal | None]) -> bool | None:
    """True / False, or None when the condition's input is missing."""
    compare = OPS[cond.op]
    if cond.lhs == "pct":
        base = have["baseline"]
        if base is None:
            return None
        return compare((value - base) * 100, cond.number * base)  # (v - b) / b * 100 OP n, with b > 0
    if cond.scale is None:
        return compare(value, cond.number)
    if cond.scale == "ULN+":
        uln = have["ULN"]
        return None if uln is None else compare(value, uln + cond.number)
    limit = have[cond.scale]
    return None if limit is None else compare(value, cond.number * limit)


def _grade_set(
    crits: tuple[Crit, ...], value: Decimal, have: dict[str, Decimal | None], abnormal: bool, is_baseline: bool
) -> tuple[int, set[str], set[str], bool]:
    """(best grade met or 0, rules met at it, inputs missing for blocking criteria, blocked)."""
    best, rules, missing, blocked = 0, set(), set(), False
    for crit in crits:
        if is_baseline and "baseline" in crit.needs:
            continue  # a value is not a change from itself
        if crit.baseline_state == "normal" and abnormal:
            continue
        if crit.baseline_state == "abnormal" and not (abnormal and have["baseline"] is not None):
            if abnormal and not crit.optional:  # an abnormal baseline whose value cannot scale
                blocked = True
                missing.add("baseline")
            continue
        results = [_met(c, value, have) for c in crit.conds]
        if any(r is False for r in results):
            continue  # not met, whatever the missing inputs would say
        if any(r is None for r in results):
            if not crit.optional:
                blocked = True
                missing |= {c.needs for c, r in zip(crit.conds, results, strict=True) if r is None and c.needs}
            continue
        if crit.grade > best:
            best, rules = crit.grade, {crit.rule}
        elif crit.grade == best:
            rules.add(crit.rule)
    return best, rules, missing, blocked


def grade(
    term_id: str,
    value: float | int | str | Decimal,
    unit: str,
    *,
    lln: float | int | str | Decimal | None = None,
    uln: float | int | str | Decimal | None = None,
    range_unit: str | None = None,
    baseline: float | int | str | Decimal | None = None,
    baseline_unit: str | None = None,
    baseline_abnormal: bool = False,
    is_baseline: bool = False,
) -> OracleGrade:
    """Grade one lab result for one term.

    ``value`` is in ``unit`` as reported; ``lln`` / ``uln`` in ``range_unit`` (default: ``unit``);
    ``baseline`` in ``baseline_unit`` (default: ``unit``); None = missing. ``baseline_abnormal`` is the
    baseline's abnormal-high flag (ignored without a baseline: a missing baseline counts as normal).
    ``is_baseline``: this result is the baseline, or was taken before it.
    """
    term = terms()[term_id]
    f_value = factor(term.analyte, unit)
    f_range = factor(term.analyte, range_unit if range_unit is not None else unit)
    f_base = factor(term.analyte, baseline_unit if baseline_unit is not None else unit)
    if f_value is None:
        return OracleGrade(None, ungradable=True)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        canonical = {
            "value": dec(value) * f_value,
            "LLN": None if lln is None or f_range is None else dec(lln) * f_range,
            "ULN": None if uln is None or f_range is None else dec(uln) * f_range,
            "baseline": None if baseline is None or f_base is None else dec(baseline) * f_base,
        }
        if is_baseline:
            canonical["baseline"] = None
        abnormal = baseline_abnormal and baseline is not None and not is_baseline
        set_unit, scale = _the_set(term, unit, f_value)
        converted = unit if set_unit == "si" and term.unit is not None and f_value != 1 else None
        have = {k: _usable(canonical[k] / scale) if canonical[k] is not None else None for k in INPUTS}
        missing_required = term.requires - {k for k in INPUTS if have[k] is not None}
        if missing_required:
            return OracleGrade(None, missing=frozenset(missing_required), sets=(set_unit,), converted_from=converted)
        best, rules, missing, blocked = _grade_set(
            term.sets[set_unit], canonical["value"] / scale, have, abnormal, is_baseline
        )
    if best == 0 and blocked:
        return OracleGrade(None, missing=frozenset(missing), sets=(set_unit,), converted_from=converted)
    return OracleGrade(best, rules=frozenset(rules), sets=(set_unit,), converted_from=converted)


def _the_set(term: OTerm, unit: str, f_value: Decimal) -> tuple[str, Decimal]:
    """(set, factor of its unit to the canonical unit): the conventional set of the reported unit, if
    any (same factor in the analyte table), else the SI set (factor 1)."""
    for set_unit in term.sets:
        if set_unit != "si" and factor(term.analyte, set_unit) == f_value:
            return set_unit, f_value
    return "si", Decimal(1)


def thresholds(term_id: str) -> list[tuple[str, Cond]]:
    """Every (set, condition) of a term: where the interesting values are."""
    return [(s, c) for s, crits in terms()[term_id].sets.items() for crit in crits for c in crit.conds]
