"""Read a CTCAE criteria table (``rules/ctcae_v*.toml``) into typed terms and criteria.

The table is the clinician-readable source of truth; its "when" strings are read with the one
condition grammar of the rule tables (``cds.rulebook.grammar``, documented at the top of
rules/ctcae_v5.toml): this module allows the forms a CTCAE criterion uses and rejects anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from cds.concern import DEFAULT_CTCAE_VERSION
from cds.errors import ConfigurationError
from cds.rulebook.files import discover, rules_dir
from cds.rulebook.grammar import Comparison, Names
from cds.rulebook.grammar import parse_when as parse_conditions
from cds.rulebook.links import check_unique
from cds.rulebook.reading import malformed, read_table
from cds.tables import analytes

Input = Literal["ULN", "LLN", "baseline"]
Kind = Literal["abs", "uln", "lln", "baseline", "uln_plus", "pct"]
CriterionComparator = Literal["<", "<=", ">", ">="]  # a CTCAE criterion never tests equality

# The fact field each kind of comparison reads, and the input it needs.
FIELD: dict[str, str] = {
    "abs": "value", "uln": "x_uln", "lln": "x_lln", "baseline": "x_base", "uln_plus": "over_uln",
    "pct": "pct_base",
}
NEEDS: dict[str, Input | None] = {
    "abs": None, "uln": "ULN", "lln": "LLN", "baseline": "baseline", "uln_plus": "ULN", "pct": "baseline",
}

# What the grammar allows in a CTCAE criterion: the result's value (against a number, a multiple of
# ULN / LLN / baseline, or ULN plus a number) and its percent change from baseline (against a number).
_NAMES = Names(fields=("value", "pct_change_from_baseline"), forms=("number", "times", "plus"),
               ops=("<", "<=", ">", ">="), what="criterion")
_KIND: dict[tuple[str, str, str | None], Kind] = {
    ("value", "number", None): "abs", ("value", "times", "ULN"): "uln", ("value", "times", "LLN"): "lln",
    ("value", "times", "baseline"): "baseline", ("value", "plus", "ULN"): "uln_plus",
    ("pct_change_from_baseline", "number", None): "pct",
}


@dataclass(frozen=True)
class Condition:
    kind: Kind
    op: CriterionComparator
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
    # "normal" / "abnormal": the baseline above the ULN or not (a missing baseline counts as normal);
    # "low" / "not_low": below the LLN or not (v6 creatinine). Where the record does not say whether the
    # baseline was below its LLN, both "low" and "not_low" criteria apply (the higher grade).
    baseline_state: Literal["normal", "abnormal", "low", "not_low"] | None = None
    optional: bool = False

    @cached_property
    def needs(self) -> frozenset[Input]:
        needs = {c.needs for c in self.conditions if c.needs is not None}
        if self.baseline_state in ("abnormal", "low"):
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
class NotGraded:
    """A result the table reads but does not grade (``[[not_graded]]``): listed as "cannot grade" with why."""

    analyte: str
    term: str
    id: str
    reason: str
    source: str


@dataclass(frozen=True)
class CtcaeTable:
    version: str
    prefix: str
    title: str
    source: str
    terms: tuple[Term, ...]
    digest: str
    file: str = ""
    not_graded: tuple[NotGraded, ...] = ()

    def not_graded_for(self, analyte: str) -> NotGraded | None:
        """Why a result of ``analyte`` is not graded, when the table lists it and no term grades it."""
        if self.for_analyte(analyte):
            return None
        return next((n for n in self.not_graded if n.analyte == analyte), None)

    def for_analyte(self, analyte: str) -> tuple[Term, ...]:
        """The terms that grade a result of ``analyte``: its own, and those of the broader analyte it is
        also graded as (fhir_mappings/analytes.toml ``also_graded_as``: a fasting glucose is a glucose)."""
        found = self._by_analyte.get(analyte)
        if found is None:
            entry = analytes().analytes.get(analyte)
            broader = entry.also_graded_as if entry is not None else None
            found = tuple(t for t in self.terms if t.analyte in (analyte, broader))
            if len(self._by_analyte) < 1000:  # analyte names come from the records: keep the table bounded
                self._by_analyte[analyte] = found
        return found

    @cached_property
    def _by_analyte(self) -> dict[str, tuple[Term, ...]]:
        """``for_analyte``'s answers so far (the analyte table is read once per process)."""
        return {}

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(c.rule for t in self.terms for c in t.criteria)


def _condition(comparison: Comparison, text: str, file: str, entry: str) -> Condition:
    kind = _KIND.get((comparison.field, comparison.form, comparison.reference))
    if kind is None:
        raise ConfigurationError(f"{file}: {entry}: cannot read criterion {text!r}")
    return Condition(kind=kind, op=comparison.op, threshold=comparison.threshold)  # type: ignore[arg-type]


def parse_when(text: str, file: str = "CTCAE table", entry: str = "criterion") -> tuple[Condition, ...]:
    """The conditions of one criterion's ``when``; a ConfigurationError naming the file and the rule
    when it is not a CTCAE criterion."""
    return tuple(_condition(c, text, file, entry) for c in parse_conditions(text, _NAMES, file=file, entry=entry))


def _criteria(raw: list[dict[str, Any]], unit_set: str, term_id: str, file: str) -> tuple[Criterion, ...]:
    out = []
    for entry in raw:
        state = entry.get("baseline")
        if state not in (None, "normal", "abnormal", "low", "not_low"):
            raise ConfigurationError(f"{file}: term {term_id}: baseline must be normal, abnormal, low or not_low")
        grade = int(entry["grade"])
        if not 1 <= grade <= 4:
            raise ConfigurationError(f"{file}: term {term_id}: grade {grade} is not 1-4")
        out.append(Criterion(
            rule=str(entry["rule"]), grade=grade, when=str(entry["when"]),
            conditions=parse_when(entry["when"], file, str(entry["rule"])),
            unit_set=unit_set, baseline_state=state, optional=bool(entry.get("optional", False)),
        ))
    return tuple(out)


def load_table(path: Path) -> CtcaeTable:
    read = read_table(path, "CTCAE table")
    with malformed(read.name, "CTCAE table"):
        raw = read.content
        meta = raw["meta"]
        terms = []
        for entry in raw["term"]:
            sets = {"si": _criteria(entry["criteria"], "si", entry["id"], read.name)}
            for conventional in entry.get("conventional", []):
                sets[str(conventional["unit"])] = _criteria(conventional["criteria"], conventional["unit"], entry["id"],
                                                            read.name)
            terms.append(Term(
                id=str(entry["id"]), name=str(entry["name"]), analyte=str(entry["analyte"]),
                direction=entry["direction"], soc=str(entry["soc"]), unit=entry.get("unit"),
                requires=frozenset(entry.get("requires", [])), text={int(k): str(v) for k, v in entry["text"].items()},
                sets=sets,
            ))
        not_graded = tuple(
            NotGraded(analyte=str(e["analyte"]), term=str(e["term"]), id=str(e["id"]), reason=str(e["reason"]),
                      source=str(e["source"]))
            for e in raw.get("not_graded", []))
        table = CtcaeTable(
            version=str(meta["version"]), prefix=str(meta["rule_prefix"]), title=str(meta.get("title", "")),
            source=str(meta.get("source", "")), terms=tuple(terms), digest=read.digest, file=read.name,
            not_graded=not_graded,
        )
    _check(table)
    return table


def _check(table: CtcaeTable) -> None:
    check_unique(table.rule_ids, file=table.file)
    for term in table.terms:
        for criterion in term.criteria:
            if not criterion.rule.startswith(f"{table.prefix}.{term.id}."):
                raise ConfigurationError(f"{table.file}: rule id {criterion.rule} does not name its term")
        if term.requires - {"ULN", "LLN", "baseline"}:
            raise ConfigurationError(f"{table.file}: term {term.id}: unknown required input")
        _check_units(term, table.file)
    for entry in table.not_graded:
        if entry.analyte not in analytes().analytes:
            raise ConfigurationError(f"{table.file}: not_graded: analyte {entry.analyte!r} is not in "
                                     "fhir_mappings/analytes.toml")
        if any(t.analyte == entry.analyte for t in table.terms):
            raise ConfigurationError(f"{table.file}: not_graded: a term grades {entry.analyte!r}")


def _check_units(term: Term, file: str) -> None:
    """The table's units against fhir_mappings/analytes.toml, which converts the values it compares.

    The SI set is in the analyte's canonical unit; a term with absolute criteria (a number in a unit)
    names that unit; every conventional set is a unit the analyte table converts, other than the SI
    unit and each other (one result, one set: rules/ctcae_v5.toml, "How a term is graded").
    """
    analyte = analytes().analytes.get(term.analyte)
    if analyte is None:
        raise ConfigurationError(
            f"{file}: term {term.id}: analyte {term.analyte!r} is not in fhir_mappings/analytes.toml")
    if term.unit is not None and term.unit != analyte.canonical_unit:
        raise ConfigurationError(f"{file}: term {term.id}: unit {term.unit!r} is not the canonical unit of "
                                 f"{term.analyte} ({analyte.canonical_unit})")
    absolute = any(c.kind in ("abs", "uln_plus") for criterion in term.criteria for c in criterion.conditions)
    if absolute and term.unit is None:
        raise ConfigurationError(f"{file}: term {term.id}: absolute criteria need the term's unit")
    factors = [1.0]
    for unit in term.sets:
        if unit == "si":
            continue
        factor = analyte.units.factor(unit)
        if term.unit is None or factor is None:
            raise ConfigurationError(
                f"{file}: term {term.id}: criterion set unit {unit!r} is not convertible for {term.analyte}")
        if any(abs(factor - f) <= 1e-12 * max(factor, f) for f in factors):
            raise ConfigurationError(
                f"{file}: term {term.id}: criterion set unit {unit!r} is the same unit as another set")
        factors.append(factor)


def available_versions() -> dict[str, Path]:
    """CTCAE version -> table file, for every ``ctcae_v*.toml`` in rules/."""
    return discover("ctcae_v*.toml", rules_dir())


@cache
def table(version: str = DEFAULT_CTCAE_VERSION) -> CtcaeTable:
    paths = available_versions()
    if version not in paths:
        raise ConfigurationError(f"no CTCAE table for version {version!r} (have {sorted(paths)})")
    return load_table(paths[version])
