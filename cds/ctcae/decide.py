"""CTCAE grading, second half: the engine ruleset compiled from the table, and hits -> ``ToxicityGrade``s.

Each criterion of ``rules/ctcae_v*.toml`` is one engine rule; the engine says which criteria a fact
meets, and Python reads the highest grade met, or says which inputs were missing (rules/ctcae_v5.toml,
"How a term is graded").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cds.ctcae.conclusions import ToxicityGrade
from cds.ctcae.prepare import FACT_KIND, HAS_FIELD, Inputs, Pending, prepare
from cds.ctcae.table import Criterion, CtcaeTable, Input
from cds.engine import Engine, Ruleset, Test
from cds.engine import Rule as EngineRule
from cds.facts import LabResult, UngradableLab
from cds.timeline import Timeline

MISSING_TEXT: dict[str, str] = {
    "ULN": "no upper limit of normal", "LLN": "no lower limit of normal", "baseline": "no baseline",
}


def ruleset_name(table: CtcaeTable) -> str:
    return "ctcae_v" + table.version.replace(".", "_")


def compile_ruleset(table: CtcaeTable) -> Ruleset:
    """Each criterion of the table -> one engine rule (a conjunction of comparisons)."""
    rules = []
    for term in table.terms:
        for criterion in term.criteria:
            tests = [Test("term", "==", term.id), Test("unit_set", "==", criterion.unit_set)]
            if criterion.baseline_state == "normal":
                tests.append(Test("base_abnormal", "==", 0.0))
            elif criterion.baseline_state == "abnormal":
                tests += [Test("has_base", "==", 1.0), Test("base_abnormal", "==", 1.0)]
            elif criterion.baseline_state == "low":  # below the LLN, or not known not to be
                tests += [Test("has_base", "==", 1.0), Test("base_not_low", "==", 0.0)]
            elif criterion.baseline_state == "not_low":  # at or above the LLN, or not known to be below
                tests.append(Test("base_low", "==", 0.0))
            for condition in criterion.conditions:
                if condition.needs is not None:
                    tests.append(Test(HAS_FIELD[condition.needs], "==", 1.0))
                tests.append(Test(condition.field, condition.op, condition.threshold))
            rules.append(EngineRule(id=criterion.rule, tests=tuple(tests)))
    return Ruleset(name=ruleset_name(table), kind=FACT_KIND, rules=tuple(rules))


def _applies(criterion: Criterion, inputs: Inputs) -> bool:
    """Whether a criterion is in play for these inputs (its baseline condition holds)."""
    if criterion.baseline_state == "normal":
        return not inputs.base_abnormal
    if criterion.baseline_state == "abnormal":
        return inputs.base_abnormal
    if criterion.baseline_state == "low":
        return not inputs.base_not_low
    if criterion.baseline_state == "not_low":
        return not inputs.base_low
    return True


LOW_UNKNOWN_NOTE = ("whether the baseline was below its lower limit of normal is not recorded: the criteria for a "
                    "baseline below the LLN were applied too (the higher grade)")


def _conclude(item: Pending, met: set[str], table: CtcaeTable, cycle: int) -> ToxicityGrade:
    lab, term, inputs = item.lab, item.term, item.inputs
    base = dict(
        term=term.name, term_id=term.id, ctcae_version=table.version, observation=lab.ref,
        effective=lab.at, cycle=cycle, analyte=lab.analyte, value=lab.reported_value, unit=lab.reported_unit,
        value_canonical=lab.value, unit_canonical=lab.unit, lln=lab.low, uln=lab.high,
        baseline=item.baseline, range_source=lab.range_source, derived_from=lab.derived_from,
        derivation=lab.derivation, converted_from=item.converted_from,
    )
    have = inputs.available()
    if not term.requires <= have:
        reason = "; ".join(MISSING_TEXT[m] for m in sorted(term.requires - have))
        return ToxicityGrade(**base, grade=None, reason=f"{reason}: cannot grade", notes=lab.notes)
    best: Criterion | None = None
    unevaluable: list[tuple[Criterion, frozenset[Input]]] = []
    for criterion in term.sets[item.unit_set]:
        if criterion.rule in met:
            if best is None or criterion.grade > best.grade:  # the highest grade wins
                best = criterion
        elif not criterion.needs <= have and _applies(criterion, inputs):
            missing = criterion.needs - have
            if inputs.is_baseline:
                missing -= {"baseline"}  # not missing: it does not apply to the baseline itself
            if missing:
                unevaluable.append((criterion, missing))
    grade = best.grade if best else 0
    notes: tuple[str, ...] = lab.notes
    if item.baseline_note is not None and any("baseline" in c.needs for c in term.sets[item.unit_set]):
        notes += (item.baseline_note,)
    if unevaluable:
        notes += tuple(sorted({
            f"grade {c.grade} criterion not evaluable: {', '.join(MISSING_TEXT[m] for m in sorted(missing))}"
            for c, missing in unevaluable if c.grade > grade
        }))
    if best is None:
        blocking = [(c, m) for c, m in unevaluable if not c.optional]
        if blocking:
            absent = sorted({m for _, ms in blocking for m in ms})
            reason = "; ".join(MISSING_TEXT[m] for m in absent)
            return ToxicityGrade(**base, grade=None, reason=f"{reason}: cannot grade", notes=notes)
        return ToxicityGrade(**base, grade=0, criterion="no grade 1-4 criterion met",
                             rule=f"{table.prefix}.{term.id}.g0", criterion_set=item.unit_set, notes=notes)
    if best.baseline_state == "low" and not inputs.base_low:
        notes = (*notes, LOW_UNKNOWN_NOTE)
    return ToxicityGrade(
        **base, grade=grade, criterion=term.text.get(grade, best.when), rule=best.rule,
        criterion_set=best.unit_set, notes=notes,
    )


def grade_timeline(timeline: Timeline, table: CtcaeTable, engine: Engine) -> list[ToxicityGrade]:
    """Every (lab, applicable term) of one patient, graded; ungradable labs with their reason."""
    pending, facts = prepare(timeline, table)
    met: dict[str, set[str]] = {}
    for hit in engine.evaluate(ruleset_name(table), facts):
        met.setdefault(hit.fact_id, set()).add(hit.rule_id)
    none: set[str] = set()
    cycles: dict[date, int] = {}  # day -> cycle: many results share a day
    grades = []
    for key, item in pending.items():
        day = item.lab.day
        cycle = cycles.get(day)
        if cycle is None:
            cycle = cycles[day] = timeline.cycle_of(day)
        grades.append(_conclude(item, met.get(key, none), table, cycle))
    grades += list(_ungradable(timeline.ungradable, table, timeline))
    grades += list(_not_graded(timeline, table, cycles))
    grades.sort(key=lambda g: (g.effective, g.observation, g.term))
    return grades


def _not_graded(timeline: Timeline, table: CtcaeTable, cycles: dict[date, int]) -> Iterable[ToxicityGrade]:
    """The results the table lists as read but not graded (an eGFR): "cannot grade" with the table's reason,
    so that a kidney-function result is never dropped in silence."""
    labs: tuple[LabResult | UngradableLab, ...] = (*timeline.labs, *timeline.ungradable)
    for lab in labs:
        entry = table.not_graded_for(lab.analyte)
        if entry is None:
            continue
        cycle = cycles.get(lab.day)
        if cycle is None:
            cycle = cycles[lab.day] = timeline.cycle_of(lab.day)
        measured = dict(value=lab.reported_value, unit=lab.reported_unit, value_canonical=lab.value,
                        unit_canonical=lab.unit) if isinstance(lab, LabResult) else {}
        yield ToxicityGrade(
            term=entry.term, term_id=entry.id, ctcae_version=table.version, grade=None, observation=lab.ref,
            effective=lab.at, cycle=cycle, analyte=lab.analyte, reason=entry.reason, **measured,
        )


def _ungradable(labs: Iterable[UngradableLab], table: CtcaeTable, timeline: Timeline) -> Iterable[ToxicityGrade]:
    for lab in labs:
        for term in table.for_analyte(lab.analyte):
            yield ToxicityGrade(
                term=term.name, term_id=term.id, ctcae_version=table.version, grade=None, observation=lab.ref,
                effective=lab.at, cycle=timeline.cycle_of(lab.day), analyte=lab.analyte, reason=lab.reason,
            )
