"""Read the RECIST 1.1 table (``rules/recist_1_1.toml``) into typed thresholds, rows and settings.

The table is the clinician-readable source of truth. Its "when" strings are read with the one
condition grammar of the rule tables (``cds.rulebook.grammar``, documented at the top of the table):
this module checks every field name (yes/no fields as flags) and value, returns each decision's rows in
their stated precedence (``priority``, lowest first: the first row that holds decides), and checks
that each decision is total (some row always fires); anything it does not understand is a
ConfigurationError.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cds.errors import ConfigurationError
from cds.rulebook.files import rules_dir
from cds.rulebook.grammar import Comparison, Names, check_flags
from cds.rulebook.grammar import parse_when as parse_conditions
from cds.rulebook.links import check_unique
from cds.rulebook.precedence import by_priority
from cds.rulebook.reading import malformed, read_table

TargetCategory = Literal["CR", "PR", "SD", "PD", "NE"]
NonTargetCategory = Literal["CR", "non-CR/non-PD", "PD", "NE"]
OverallCategory = Literal["CR", "PR", "SD", "PD", "NE", "non-CR/non-PD"]
NONE = "none"  # the target / non-target column when the baseline has no such lesion

TARGET_VALUES: tuple[str, ...] = ("CR", "PR", "SD", "PD", "NE", NONE)
NON_TARGET_VALUES: tuple[str, ...] = ("CR", "non-CR/non-PD", "PD", "NE", NONE)
OVERALL_VALUES: tuple[str, ...] = ("CR", "PR", "SD", "PD", "NE", "non-CR/non-PD")
_COLUMNS: dict[str, tuple[Any, ...]] = {
    "target": TARGET_VALUES, "non_target": NON_TARGET_VALUES, "new_lesions": (False, True), "ambiguous": (False, True),
    "disease_after_cr": (False, True),
}
OPTIONAL_COLUMNS = frozenset({"disease_after_cr"})  # a row that does not name it: any value ("*")

@dataclass(frozen=True)
class ComparisonRow:
    """One row of [[target]] or [[non_target]]: a conjunction of comparisons -> a response."""

    rule: str
    response: str
    when: str
    comparisons: tuple[Comparison, ...]
    source: str


@dataclass(frozen=True)
class OverallRow:
    """One row of [[overall]] (RECIST 1.1 Tables 1 and 2): allowed values per column, None = any."""

    rule: str
    response: OverallCategory
    target: tuple[str, ...] | None
    non_target: tuple[str, ...] | None
    new_lesions: tuple[bool, ...] | None
    ambiguous: tuple[bool, ...] | None
    source: str
    disease_after_cr: tuple[bool, ...] | None = None

    def matches(self, target: str, non_target: str, new_lesions: bool, ambiguous: bool,
                disease_after_cr: bool = False) -> bool:
        return all(
            allowed is None or value in allowed
            for allowed, value in (
                (self.target, target), (self.non_target, non_target),
                (self.new_lesions, new_lesions), (self.ambiguous, ambiguous),
                (self.disease_after_cr, disease_after_cr),
            )
        )


@dataclass(frozen=True)
class BaselineLimits:
    measurable_min_mm: float
    measurable_node_min_mm: float
    pathological_node_min_mm: float
    max_targets: int
    max_targets_per_organ: int
    max_days_before_treatment: int
    max_plausible_mm: float


@dataclass(frozen=True)
class RecistTable:
    version: str
    prefix: str
    title: str
    source: str
    baseline: BaselineLimits
    settings: dict[str, Any]  # defaults of cds.recist.RecistSettings
    target: tuple[ComparisonRow, ...]
    non_target: tuple[ComparisonRow, ...]
    overall: tuple[OverallRow, ...]
    target_fields: tuple[str, ...]
    non_target_fields: tuple[str, ...]
    digest: str
    flags: frozenset[str] = frozenset()  # the yes/no fields ([fields] flags), written `name` / `not name`
    file: str = "recist_1_1.toml"

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(row.rule for rows in (self.target, self.non_target, self.overall) for row in rows)


def parse_when(text: str, fields: tuple[str, ...], flags: frozenset[str] = frozenset(), file: str = "RECIST table",
               entry: str = "row") -> tuple[Comparison, ...]:
    """The comparisons of one row's ``when``: ``FIELD OP NUMBER`` of the given fields, and the yes/no
    fields among them as flags; anything else is a ConfigurationError naming the file and the row."""
    names = Names(fields=fields, forms=("number", "flag"), what="RECIST condition")
    comparisons = parse_conditions(text, names, file=file, entry=entry)
    check_flags(comparisons, flags, file=file, entry=entry)
    return comparisons


def _comparison_rows(
    raw: list[dict[str, Any]], fields: tuple[str, ...], allowed: tuple[str, ...], flags: frozenset[str], file: str,
    section: str,
) -> tuple[ComparisonRow, ...]:
    rows = []
    for entry in by_priority(raw, file=file, section=section):
        response = str(entry["response"])
        if response not in allowed:
            raise ConfigurationError(f"{file}: {entry['rule']}: response {response!r} is not one of {allowed}")
        rows.append(ComparisonRow(
            rule=str(entry["rule"]), response=response, when=str(entry["when"]),
            comparisons=parse_when(str(entry["when"]), fields, flags, file, str(entry["rule"])),
            source=str(entry["source"]),
        ))
    return tuple(rows)


def _column(entry: dict[str, Any], name: str, file: str) -> tuple[Any, ...] | None:
    value = entry.get(name, "*") if name in OPTIONAL_COLUMNS else entry[name]
    if value == "*":
        return None
    if not isinstance(value, list) or not value or any(v not in _COLUMNS[name] for v in value):
        raise ConfigurationError(f"{file}: {entry['rule']}: column {name} must be '*' or a list of {_COLUMNS[name]}")
    if any(isinstance(v, bool) != isinstance(_COLUMNS[name][0], bool) for v in value):
        raise ConfigurationError(f"{file}: {entry['rule']}: column {name} has a value of the wrong type")
    return tuple(value)


def _overall_rows(raw: list[dict[str, Any]], file: str) -> tuple[OverallRow, ...]:
    rows = []
    for entry in by_priority(raw, file=file, section="overall"):
        response = str(entry["response"])
        if response not in OVERALL_VALUES:
            raise ConfigurationError(f"{file}: {entry['rule']}: response {response!r} is not one of {OVERALL_VALUES}")
        rows.append(OverallRow(
            rule=str(entry["rule"]), response=response,  # type: ignore[arg-type]
            target=_column(entry, "target", file), non_target=_column(entry, "non_target", file),
            new_lesions=_column(entry, "new_lesions", file), ambiguous=_column(entry, "ambiguous", file),
            source=str(entry["source"]), disease_after_cr=_column(entry, "disease_after_cr", file),
        ))
    return tuple(rows)


def load_table(path: Path) -> RecistTable:
    read = read_table(path, "RECIST table")
    name = read.name
    with malformed(name, "RECIST table"):
        raw = read.content
        meta, base, fields = raw["meta"], raw["baseline"], raw["fields"]
        target_fields = tuple(str(f) for f in fields["target"])
        non_target_fields = tuple(str(f) for f in fields["non_target"])
        flags = frozenset(str(f) for f in fields.get("flags", []))
        if flags - {*target_fields, *non_target_fields}:
            raise ConfigurationError(f"{name}: [fields] flags names a field no decision has")
        table = RecistTable(
            version=str(meta["version"]), prefix=str(meta["rule_prefix"]), title=str(meta.get("title", "")),
            source=str(meta.get("source", "")),
            baseline=BaselineLimits(
                measurable_min_mm=float(base["measurable_min_mm"]),
                measurable_node_min_mm=float(base["measurable_node_min_mm"]),
                pathological_node_min_mm=float(base["pathological_node_min_mm"]),
                max_targets=int(base["max_targets"]), max_targets_per_organ=int(base["max_targets_per_organ"]),
                max_days_before_treatment=int(base["max_days_before_treatment"]),
                max_plausible_mm=float(base["max_plausible_mm"]),
            ),
            settings=dict(raw["settings"]),
            target=_comparison_rows(raw["target"], target_fields, ("CR", "PR", "SD", "PD", "NE"), flags, name,
                                    "target"),
            non_target=_comparison_rows(raw["non_target"], non_target_fields, ("CR", "non-CR/non-PD", "PD", "NE"),
                                        flags, name, "non_target"),
            overall=_overall_rows(raw["overall"], name),
            target_fields=target_fields, non_target_fields=non_target_fields,
            digest=read.digest, flags=flags, file=name,
        )
    _check(table)
    return table


def _check(table: RecistTable) -> None:
    check_unique(table.rule_ids, file=table.file)
    for rule in table.rule_ids:
        if not rule.startswith(f"{table.prefix}."):
            raise ConfigurationError(f"{table.file}: rule id {rule} does not start with {table.prefix}.")
    for combination in itertools.product(*_COLUMNS.values()):
        if not any(row.matches(*combination) for row in table.overall):
            raise ConfigurationError(f"{table.file}: no [[overall]] row covers {combination}")


@cache
def table() -> RecistTable:
    """The installed RECIST 1.1 table (read once per process)."""
    return load_table(rules_dir() / "recist_1_1.toml")
