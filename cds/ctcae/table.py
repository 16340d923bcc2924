"""Read a CTCAE criteria table (``rules/ctcae_v*.toml``) into typed terms and criteria.

The table is the clinician-readable source of truth; this module parses its small "when" grammar
(documented at the top of rules/ctcae_v5.toml) and rejects anything it does not understand.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from cds.data_files import rules_dir
from cds.errors import ConfigurationError
from cds.tables import analytes

Input = Literal["ULN", "LLN", "baseline"]
Kind = Literal["abs", "uln", "lln", "baseline", "uln_plus", "pct"]
Op = Literal["<", "<=", ">", ">="]

# The fact field each kind of comparison reads, and the input it needs.
FIELD: dict[str, str] = {
    "abs": "value", "uln": "x_uln", "lln": "x_lln", "baseline": "x_base", "uln_plus": "over_uln",
    "pct": "pct_base",
}
NEEDS: dict[str, Input | None] = {
    "abs": None, "uln": "ULN", "lln": "LLN", "baseline": "baseline", "uln_plus": "ULN", "pct": "baseline",
}

_NUMBER = r"(-?\d+(?:\.\d+)?)"
_OP = r"(<=|>=|<|>)"
_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("uln_plus", re.compile(rf"^value {_OP} ULN \+ {_NUMBER}$")),
    ("uln", re.compile(rf"^value {_OP} {_NUMBER} x ULN$")),
    ("lln", re.compile(rf"^value {_OP} {_NUMBER} x LLN$")),
    ("baseline", re.compile(rf"^value {_OP} {_NUMBER} x baseline$")),
    ("pct", re.compile(rf"^pct_change_from_baseline {_OP} {_NUMBER}$")),
    ("abs", re.compile(rf"^value {_OP} {_NUMBER}$")),
)


@dataclass(frozen=True)
class Condition:
    kind: Kind
    op: Op
    threshold: float

    @property
    def field(self) -> str:
        return FIELD[self.kind]

    @property
    def needs(self) -> Input | None:
        return NEEDS[self.kind]


@dataclass(frozen=True)
class Criterion:
    rule: str
    grade: int
    when: str
    conditions: tuple[Condition, ...]
    unit_set: str  # "si" or the conventional unit the set is written in
    baseline_state: Literal["normal", "abnormal"] | None = None
    optional: bool = False

    @cached_property
    def needs(self) -> frozenset[Input]:
        needs = {c.needs for c in self.conditions if c.needs is not None}
        if self.baseline_state == "abnormal":
            needs.add("baseline")
        return frozenset(needs)


@dataclass(frozen=True)
class Term:
    id: str
    name: str
    analyte: str
    direction: Literal["low", "high"]
    soc: str
    unit: str | None
    requires: frozenset[Input]
    text: dict[int, str]
    sets: dict[str, tuple[Criterion, ...]]  # "si" -> criteria; conventional unit -> criteria

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for criteria in self.sets.values() for c in criteria)


@dataclass(frozen=True)
class CtcaeTable:
    version: str
    prefix: str
    title: str
    source: str
    terms: tuple[Term, ...]
    digest: str
    file: str = ""

    def for_analyte(self, analyte: str) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.analyte == analyte)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(c.rule for t in self.terms for c in t.criteria)


def parse_when(text: str) -> tuple[Condition, ...]:
    conditions = []
    for part in text.split(" and "):
        part = part.strip()
        for kind, pattern in _PATTERNS:
            match = pattern.match(part)
            if match:
                conditions.append(Condition(kind=kind, op=match.group(1), threshold=float(match.group(2))))  # type: ignore[arg-type]
                break
        else:
            raise ConfigurationError(f"cannot read criterion {text!r}")
    return tuple(conditions)


def _criteria(raw: list[dict[str, Any]], unit_set: str, term_id: str) -> tuple[Criterion, ...]:
    out = []
    for entry in raw:
        state = entry.get("baseline")
        if state not in (None, "normal", "abnormal"):
            raise ConfigurationError(f"term {term_id}: baseline must be normal or abnormal")
        grade = int(entry["grade"])
        if not 1 <= grade <= 4:
            raise ConfigurationError(f"term {term_id}: grade {grade} is not 1-4")
        out.append(Criterion(
            rule=str(entry["rule"]), grade=grade, when=str(entry["when"]), conditions=parse_when(entry["when"]),
            unit_set=unit_set, baseline_state=state, optional=bool(entry.get("optional", False)),
        ))
    return tuple(out)


def load_table(path: Path) -> CtcaeTable:
    data = path.read_bytes()
    try:
        raw = tomllib.loads(data.decode("utf-8"))
        meta = raw["meta"]
        terms = []
        for entry in raw["term"]:
            sets = {"si": _criteria(entry["criteria"], "si", entry["id"])}
            for conventional in entry.get("conventional", []):
                sets[str(conventional["unit"])] = _criteria(conventional["criteria"], conventional["unit"], entry["id"])
            terms.append(Term(
                id=str(entry["id"]), name=str(entry["name"]), analyte=str(entry["analyte"]),
                direction=entry["direction"], soc=str(entry["soc"]), unit=entry.get("unit"),
                requires=frozenset(entry.get("requires", [])), text={int(k): str(v) for k, v in entry["text"].items()},
                sets=sets,
            ))
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{path.name}: malformed CTCAE table ({exc})") from exc
    table = CtcaeTable(
        version=str(meta["version"]), prefix=str(meta["rule_prefix"]), title=str(meta.get("title", "")),
        source=str(meta.get("source", "")), terms=tuple(terms), digest=hashlib.sha256(data).hexdigest()[:12],
        file=path.name,
    )
    _check(table)
    return table


def _check(table: CtcaeTable) -> None:
    seen: set[str] = set()
    for term in table.terms:
        for criterion in term.criteria:
            if criterion.rule in seen:
                raise ConfigurationError(f"rule id {criterion.rule} appears twice")
            if not criterion.rule.startswith(f"{table.prefix}.{term.id}."):
                raise ConfigurationError(f"rule id {criterion.rule} does not name its term")
            seen.add(criterion.rule)
        if term.requires - {"ULN", "LLN", "baseline"}:
            raise ConfigurationError(f"term {term.id}: unknown required input")
        _check_units(term)


def _check_units(term: Term) -> None:
    """The table's units against fhir_mappings/analytes.toml, which converts the values it compares.

    The SI set is in the analyte's canonical unit; a term with absolute criteria (a number in a unit)
    names that unit; every conventional set is a unit the analyte table converts, other than the SI
    unit and each other (one result, one set: rules/ctcae_v5.toml, "How a term is graded").
    """
    analyte = analytes().analytes.get(term.analyte)
    if analyte is None:
        raise ConfigurationError(f"term {term.id}: analyte {term.analyte!r} is not in fhir_mappings/analytes.toml")
    if term.unit is not None and term.unit != analyte.canonical_unit:
        raise ConfigurationError(f"term {term.id}: unit {term.unit!r} is not the canonical unit of {term.analyte} "
                                 f"({analyte.canonical_unit})")
    absolute = any(c.kind in ("abs", "uln_plus") for criterion in term.criteria for c in criterion.conditions)
    if absolute and term.unit is None:
        raise ConfigurationError(f"term {term.id}: absolute criteria need the term's unit")
    factors = [1.0]
    for unit in term.sets:
        if unit == "si":
            continue
        factor = analyte.units.factor(unit)
        if term.unit is None or factor is None:
            raise ConfigurationError(
                f"term {term.id}: criterion set unit {unit!r} is not convertible for {term.analyte}")
        if any(abs(factor - f) <= 1e-12 * max(factor, f) for f in factors):
            raise ConfigurationError(f"term {term.id}: criterion set unit {unit!r} is the same unit as another set")
        factors.append(factor)


def available_versions() -> dict[str, Path]:
    """CTCAE version -> table file, for every ``ctcae_v*.toml`` in rules/."""
    versions = {}
    for path in sorted(rules_dir().glob("ctcae_v*.toml")):
        with path.open("rb") as handle:
            versions[str(tomllib.load(handle)["meta"]["version"])] = path
    return versions


@cache
def table(version: str = "5.0") -> CtcaeTable:
    paths = available_versions()
    if version not in paths:
        raise ConfigurationError(f"no CTCAE table for version {version!r} (have {sorted(paths)})")
    return load_table(paths[version])
