"""CTCAE laboratory grading: timeline labs -> engine facts -> ``ToxicityGrade`` per (Observation, term).

Python chooses the one criterion set a result is graded in (the unit it was reported in where CTCAE
writes criteria in that unit, else the SI set after conversion) and prepares numbers in that set's unit
(value, ratios to ULN / LLN / baseline, percent change), rounded to 12 significant digits so that
floating-point noise cannot move a value across a boundary; the durable_rules rules compiled from
``rules/ctcae_v*.toml`` decide which criteria are met.
Semantics are documented at the top of the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cds.ctcae.conclusions import ToxicityGrade
from cds.ctcae.table import Criterion, CtcaeTable, Input, Term
from cds.engine import Engine, EngineFact, Ruleset, Test
from cds.engine import Rule as EngineRule
from cds.facts import LabResult, UngradableLab
from cds.tables import analytes
from cds.timeline import Timeline

FACT_KIND = "ctcae_lab"
MISSING_TEXT: dict[str, str] = {
    "ULN": "no upper limit of normal", "LLN": "no lower limit of normal", "baseline": "no baseline",
}
_HAS = {"ULN": "has_uln", "LLN": "has_lln", "baseline": "has_base"}


def ruleset_name(table: CtcaeTable) -> str:
    return "ctcae_v" + table.version.replace(".", "_")


def signif(x: float) -> float:
    """``x`` rounded to 12 significant digits (admiral compares at 15; ratios need a little more slack)."""
    return float(f"{x:.12g}")


class GradingFact(EngineFact):
    """One (Observation, term, criterion set) as the engine sees it. Missing inputs: has_* = 0.0."""

    term: str
    unit_set: str
    value: float
    x_uln: float
    has_uln: float
    x_lln: float
    has_lln: float
    over_uln: float
    x_base: float
    has_base: float
    pct_base: float
    base_abnormal: float


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
            for condition in criterion.conditions:
                if condition.needs is not None:
                    tests.append(Test(_HAS[condition.needs], "==", 1.0))
                tests.append(Test(condition.field, condition.op, condition.threshold))
            rules.append(EngineRule(id=criterion.rule, tests=tuple(tests)))
    return Ruleset(name=ruleset_name(table), kind=FACT_KIND, rules=tuple(rules))


@dataclass(frozen=True)
class _Inputs:
    """What one lab offers for grading in one criterion set's unit."""

    value: float
    uln: float | None
    lln: float | None
    base: float | None
    base_abnormal: bool
    is_baseline: bool = False  # the lab is the baseline, or precedes it: "x baseline" does not apply

    def available(self) -> frozenset[Input]:
        have: set[Input] = set()
        if self.uln is not None:
            have.add("ULN")
        if self.lln is not None:
            have.add("LLN")
        if self.base is not None:
            have.add("baseline")
        return frozenset(have)


def _positive(x: float | None) -> float | None:
    """A limit or baseline of 0 (or less) cannot scale a criterion: treat it as missing."""
    return x if x is not None and x > 0 else None


def _inputs(lab: LabResult, timeline: Timeline, factor: float, reported: bool) -> _Inputs:
    """The lab's inputs in the criterion set's unit (value, LLN, ULN and baseline all in that one unit).

    ``reported``: the set is written in the unit the laboratory reported, so the reported number is
    compared as written (no round trip through the canonical unit).
    The baseline itself, and any result before it, is graded without "x baseline" criteria and as if
    the baseline were normal (ULN multiples): a value cannot be a change from itself, and CTCAE's
    baseline criteria describe change on treatment (conservative: the ULN reading is the stricter one).
    """
    baseline = timeline.baseline(lab.analyte)
    uln, lln = _positive(lab.high), _positive(lab.low)
    is_baseline = baseline is not None and lab.at <= baseline.lab.at
    base = _positive(baseline.lab.value) if baseline is not None and not is_baseline else None
    return _Inputs(
        value=lab.reported_value if reported else lab.value / factor,
        uln=None if uln is None else uln / factor,
        lln=None if lln is None else lln / factor,
        base=None if base is None else base / factor,
        base_abnormal=bool(baseline and baseline.abnormal_high and not is_baseline),
        is_baseline=is_baseline,
    )


def _fact(fact_id: str, term: Term, unit_set: str, inputs: _Inputs) -> GradingFact:
    value = inputs.value
    return GradingFact(
        id=fact_id, kind=FACT_KIND, term=term.id, unit_set=unit_set, value=signif(value),
        x_uln=signif(value / inputs.uln) if inputs.uln else 0.0, has_uln=1.0 if inputs.uln else 0.0,
        x_lln=signif(value / inputs.lln) if inputs.lln else 0.0, has_lln=1.0 if inputs.lln else 0.0,
        over_uln=signif(value - inputs.uln) if inputs.uln else 0.0,
        x_base=signif(value / inputs.base) if inputs.base else 0.0, has_base=1.0 if inputs.base else 0.0,
        pct_base=signif((value - inputs.base) / inputs.base * 100.0) if inputs.base else 0.0,
        base_abnormal=1.0 if inputs.base_abnormal else 0.0,
    )


def _applies(criterion: Criterion, inputs: _Inputs) -> bool:
    """Whether a criterion is in play for these inputs (its baseline condition holds)."""
    if criterion.baseline_state == "normal":
        return not inputs.base_abnormal
    if criterion.baseline_state == "abnormal":
        return inputs.base_abnormal
    return True


@dataclass
class _Pending:
    lab: LabResult
    term: Term
    unit_set: str
    inputs: _Inputs
    converted_from: str | None
    baseline: float | None  # in the canonical unit, as the output reports it


@dataclass(frozen=True)
class _Choice:
    unit_set: str  # "si" or the conventional unit a set is written in
    factor: float  # from the set's unit to the canonical unit
    reported: bool  # the set is written in the unit the lab was reported in
    converted_from: str | None  # the reported unit, when the value had to be converted to the SI set


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def criterion_set(lab: LabResult, term: Term) -> _Choice:
    """The one criterion set a lab is graded in (rules/ctcae_v5.toml, "How a term is graded").

    A result reported in a unit CTCAE writes criteria in is graded on that unit's criteria only; any
    other unit is converted to the term's SI unit and says so (``converted_from``). Two spellings are
    the same unit when fhir_mappings/analytes.toml gives them the same factor (mg/dl is mg/dL, mEq/L of
    sodium is mmol/L). A term without a unit is graded on ratios (x ULN, x LLN, x baseline) or a
    dimensionless value, which do not depend on the unit. A derived count (a percent differential with
    a WBC) is computed in the canonical unit: it is not a conversion of a reported value.
    """
    units = analytes().analytes[lab.analyte].units
    reported = None if lab.derived_from else units.factor(lab.reported_unit)
    if reported is None or term.unit is None:
        return _Choice("si", 1.0, reported is not None and _same(reported, 1.0), None)
    for unit in term.sets:
        factor = units.factor(unit) if unit != "si" else None
        if factor is not None and _same(factor, reported):
            return _Choice(unit, factor, True, None)
    if _same(reported, 1.0):
        return _Choice("si", 1.0, True, None)
    return _Choice("si", 1.0, False, lab.reported_unit)


def _conclude(item: _Pending, met: set[str], table: CtcaeTable, cycle: int) -> ToxicityGrade:
    lab, term, inputs = item.lab, item.term, item.inputs
    base = dict(
        term=term.name, term_id=term.id, ctcae_version=table.version, observation=lab.ref,
        effective=lab.at, cycle=cycle, analyte=lab.analyte, value=lab.reported_value, unit=lab.reported_unit,
        value_canonical=lab.value, unit_canonical=lab.unit, lln=lab.low, uln=lab.high,
        baseline=item.baseline, range_source=lab.range_source, derived_from=lab.derived_from,
        converted_from=item.converted_from,
    )
    have = inputs.available()
    missing_required = sorted(term.requires - have)
    if missing_required:
        reason = "; ".join(MISSING_TEXT[m] for m in missing_required)
        return ToxicityGrade(**base, grade=None, reason=f"{reason}: cannot grade")
    best: Criterion | None = None
    unevaluable: list[tuple[Criterion, frozenset[Input]]] = []
    for criterion in term.sets[item.unit_set]:
        if criterion.rule in met:
            if best is None or criterion.grade > best.grade:  # the highest grade wins
                best = criterion
        elif _applies(criterion, inputs) and not criterion.needs <= have:
            missing = criterion.needs - have
            if inputs.is_baseline:
                missing -= {"baseline"}  # not missing: it does not apply to the baseline itself
            if missing:
                unevaluable.append((criterion, missing))
    grade = best.grade if best else 0
    notes = tuple(sorted({
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
    return ToxicityGrade(
        **base, grade=grade, criterion=term.text.get(grade, best.when), rule=best.rule,
        criterion_set=best.unit_set, notes=notes,
    )


def grade_timeline(timeline: Timeline, table: CtcaeTable, engine: Engine) -> list[ToxicityGrade]:
    """Every (lab, applicable term) of one patient, graded; ungradable labs with their reason."""
    pending: dict[str, _Pending] = {}
    facts: list[GradingFact] = []
    for index, lab in enumerate(timeline.labs):
        for term in table.for_analyte(lab.analyte):
            key = f"{index}|{term.id}"
            choice = criterion_set(lab, term)
            inputs = _inputs(lab, timeline, choice.factor, choice.reported)
            baseline = timeline.baseline(lab.analyte)
            pending[key] = _Pending(
                lab=lab, term=term, unit_set=choice.unit_set, inputs=inputs, converted_from=choice.converted_from,
                baseline=_positive(baseline.lab.value) if baseline is not None and not inputs.is_baseline else None,
            )
            facts.append(_fact(key, term, choice.unit_set, inputs))
    met: dict[str, set[str]] = {key: set() for key in pending}
    for hit in engine.evaluate(ruleset_name(table), facts):
        met[hit.fact_id].add(hit.rule_id)
    grades = [
        _conclude(item, met[key], table, timeline.cycle_of(item.lab.day)) for key, item in pending.items()
    ]
    grades += list(_ungradable(timeline.ungradable, table, timeline))
    grades.sort(key=lambda g: (g.effective, g.observation, g.term))
    return grades


def _ungradable(labs: Iterable[UngradableLab], table: CtcaeTable, timeline: Timeline) -> Iterable[ToxicityGrade]:
    for lab in labs:
        for term in table.for_analyte(lab.analyte):
            yield ToxicityGrade(
                term=term.name, term_id=term.id, ctcae_version=table.version, grade=None, observation=lab.ref,
                effective=lab.at, cycle=timeline.cycle_of(lab.day), analyte=lab.analyte, reason=lab.reason,
            )
