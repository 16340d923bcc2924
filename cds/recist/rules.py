"""RECIST 1.1 decisions on durable_rules: follow-up numbers -> engine facts -> the row that decides.

Three rulesets compiled from ``rules/recist_1_1.toml``: target response, non-target response, and the
overall response of RECIST 1.1 Tables 1 and 2. Every row whose conditions hold fires; the first one
in table order decides (the table's precedence). Python only prepares the facts and reads the hits.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from cds.engine import Engine, EngineFact, Ruleset, Test
from cds.engine import Rule as EngineRule
from cds.errors import ConfigurationError, EvaluationError
from cds.recist.followup import NonTargetCounts, TargetNumbers
from cds.recist.table import ComparisonRow, OverallRow, RecistTable

TARGET_KIND, NON_TARGET_KIND, OVERALL_KIND = "recist_target", "recist_non_target", "recist_overall"
TARGET_RULESET, NON_TARGET_RULESET, OVERALL_RULESET = "recist_1_1_target", "recist_1_1_non_target", "recist_1_1_overall"


class TargetFact(EngineFact):
    """One follow-up's target lesion numbers (fields: [fields] target of the table)."""

    selection_valid: float
    complete: float
    non_nodal_remaining: float
    node_max_mm: float
    pct_from_baseline: float
    nadir_positive: float
    pct_from_nadir: float
    increase_from_nadir_mm: float


class NonTargetFact(EngineFact):
    progressing: float
    not_assessed: float
    present: float


class OverallFact(EngineFact):
    """The columns of RECIST 1.1 Tables 1-2 for one time point ("none": no such lesion at baseline)."""

    target: str
    non_target: str
    new_lesions: float
    ambiguous: float


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


def target_fact(fact_id: str, numbers: TargetNumbers, selection_valid: bool) -> TargetFact:
    return TargetFact(
        id=fact_id, kind=TARGET_KIND, selection_valid=_flag(selection_valid), complete=_flag(numbers.complete),
        non_nodal_remaining=float(numbers.non_nodal_remaining), node_max_mm=numbers.node_max_mm,
        pct_from_baseline=numbers.pct_from_baseline, nadir_positive=_flag(numbers.pct_from_nadir is not None),
        pct_from_nadir=numbers.pct_from_nadir or 0.0, increase_from_nadir_mm=numbers.increase_from_nadir_mm,
    )


def non_target_fact(fact_id: str, counts: NonTargetCounts) -> NonTargetFact:
    return NonTargetFact(id=fact_id, kind=NON_TARGET_KIND, progressing=float(counts.progressing),
                         not_assessed=float(counts.not_assessed), present=float(counts.present))


def overall_fact(fact_id: str, target: str, non_target: str, new_lesions: bool, ambiguous: bool) -> OverallFact:
    return OverallFact(id=fact_id, kind=OVERALL_KIND, target=target, non_target=non_target,
                       new_lesions=_flag(new_lesions), ambiguous=_flag(ambiguous))


def _fields(model: type[EngineFact]) -> set[str]:
    return set(model.model_fields) - {"id", "kind"}


def _comparison_rules(rows: tuple[ComparisonRow, ...]) -> tuple[EngineRule, ...]:
    return tuple(
        EngineRule(id=row.rule, tests=tuple(Test(c.field, c.op, c.threshold) for c in row.comparisons)) for row in rows
    )


def _overall_rules(rows: tuple[OverallRow, ...]) -> tuple[EngineRule, ...]:
    """One engine rule per combination of the listed column values (an engine rule is a conjunction)."""
    rules = []
    for row in rows:
        columns: list[list[Test]] = []
        for name, allowed in (("target", row.target), ("non_target", row.non_target)):
            if allowed is not None:
                columns.append([Test(name, "==", value) for value in allowed])
        for name, flags in (("new_lesions", row.new_lesions), ("ambiguous", row.ambiguous)):
            if flags is not None:
                columns.append([Test(name, "==", _flag(flag)) for flag in flags])
        rules += [EngineRule(id=row.rule, tests=combination) for combination in itertools.product(*columns)]
    return tuple(rules)


def compile_rulesets(table: RecistTable) -> list[Ruleset]:
    if set(table.target_fields) != _fields(TargetFact) or set(table.non_target_fields) != _fields(NonTargetFact):
        raise ConfigurationError("RECIST table [fields] do not match the engine facts")
    return [
        Ruleset(name=TARGET_RULESET, kind=TARGET_KIND, rules=_comparison_rules(table.target)),
        Ruleset(name=NON_TARGET_RULESET, kind=NON_TARGET_KIND, rules=_comparison_rules(table.non_target)),
        Ruleset(name=OVERALL_RULESET, kind=OVERALL_KIND, rules=_overall_rules(table.overall)),
    ]


def _first_fired(engine: Engine, ruleset: str, facts: Mapping[str, EngineFact],
                 order: tuple[Any, ...]) -> dict[str, Any]:
    """fact id -> the first row (in table order) that fired for it; every fact must get one."""
    fired: dict[str, set[str]] = {fact_id: set() for fact_id in facts}
    for hit in engine.evaluate(ruleset, list(facts.values())):
        fired[hit.fact_id].add(hit.rule_id)
    decided = {}
    for fact_id, rules in fired.items():
        row = next((row for row in order if row.rule in rules), None)
        if row is None:
            raise EvaluationError(f"no RECIST row decided a fact of ruleset {ruleset!r}")
        decided[fact_id] = row
    return decided


def decide_targets(engine: Engine, table: RecistTable, facts: Mapping[str, TargetFact]) -> dict[str, ComparisonRow]:
    return _first_fired(engine, TARGET_RULESET, facts, table.target) if facts else {}


def decide_non_targets(engine: Engine, table: RecistTable,
                       facts: Mapping[str, NonTargetFact]) -> dict[str, ComparisonRow]:
    return _first_fired(engine, NON_TARGET_RULESET, facts, table.non_target) if facts else {}


def decide_overall(engine: Engine, table: RecistTable, facts: Mapping[str, OverallFact]) -> dict[str, OverallRow]:
    return _first_fired(engine, OVERALL_RULESET, facts, table.overall) if facts else {}
