"""RECIST 1.1, engine side of the follow-up numbers: ``FollowUp`` -> the facts the three rulesets read.

A target fact and a non-target fact per follow-up time point (the fields are ``[fields]`` of
``rules/recist_1_1.toml``), then, once those are decided, an overall fact with the columns of RECIST
1.1 Tables 1-2. Booleans are 0.0 / 1.0: the engine compares floats or the ruleset's own identifiers.
"""

from __future__ import annotations

from collections.abc import Sequence

from cds.engine import EngineFact
from cds.recist.followup import FollowUp, NonTargetCounts, TargetNumbers

TARGET_KIND, NON_TARGET_KIND, OVERALL_KIND = "recist_target", "recist_non_target", "recist_overall"


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
    disease_after_cr: float = 0.0  # disease seen after an earlier time point's overall CR (Table 3 footnote a)


def flag(value: bool) -> float:
    return 1.0 if value else 0.0


def target_fact(fact_id: str, numbers: TargetNumbers, selection_valid: bool) -> TargetFact:
    return TargetFact(
        id=fact_id, kind=TARGET_KIND, selection_valid=flag(selection_valid), complete=flag(numbers.complete),
        non_nodal_remaining=float(numbers.non_nodal_remaining), node_max_mm=numbers.node_max_mm,
        pct_from_baseline=numbers.pct_from_baseline, nadir_positive=flag(numbers.pct_from_nadir is not None),
        pct_from_nadir=numbers.pct_from_nadir or 0.0, increase_from_nadir_mm=numbers.increase_from_nadir_mm,
    )


def non_target_fact(fact_id: str, counts: NonTargetCounts) -> NonTargetFact:
    return NonTargetFact(id=fact_id, kind=NON_TARGET_KIND, progressing=float(counts.progressing),
                         not_assessed=float(counts.not_assessed), present=float(counts.present))


def overall_fact(fact_id: str, target: str, non_target: str, new_lesions: bool, ambiguous: bool,
                 disease_after_cr: bool = False) -> OverallFact:
    return OverallFact(id=fact_id, kind=OVERALL_KIND, target=target, non_target=non_target,
                       new_lesions=flag(new_lesions), ambiguous=flag(ambiguous),
                       disease_after_cr=flag(disease_after_cr))


def lesion_facts(keys: Sequence[str], follow_ups: Sequence[FollowUp]) -> tuple[dict[str, TargetFact],
                                                                              dict[str, NonTargetFact]]:
    """The target and non-target facts of each follow-up, by its key (none where the baseline has no such lesion)."""
    target_facts: dict[str, TargetFact] = {}
    non_target_facts: dict[str, NonTargetFact] = {}
    for key, follow_up in zip(keys, follow_ups, strict=True):
        if follow_up.target is not None:
            target_facts[key] = target_fact(key, follow_up.target, follow_up.selection_valid)
        if follow_up.non_target is not None:
            non_target_facts[key] = non_target_fact(key, follow_up.non_target)
    return target_facts, non_target_facts
