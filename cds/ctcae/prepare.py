"""CTCAE grading, first half: timeline labs -> ``GradingFact``s, one per (Observation, term).

Python chooses the one criterion set a result is graded in (the unit it was reported in where CTCAE
writes criteria in that unit, else the SI set after conversion) and prepares numbers in that set's unit
(value, ratios to ULN / LLN / baseline, percent change), rounded to 12 significant digits so that
floating-point noise cannot move a value across a boundary. Semantics are documented at the top of
the table (rules/ctcae_v5.toml).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from cds.ctcae.table import CtcaeTable, Input, Term
from cds.engine import EngineFact
from cds.facts import LabResult
from cds.numbers import signif
from cds.tables import analytes
from cds.timeline import Baseline, Timeline

FACT_KIND = "ctcae_lab"
# The fact field that says an input is present (0.0: missing, its ratio is then 0.0 and not compared).
HAS_FIELD: dict[Input, str] = {"ULN": "has_uln", "LLN": "has_lln", "baseline": "has_base"}


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
    base_low: float = 0.0  # the baseline is known to be below its LLN
    base_not_low: float = 0.0  # the baseline is known to be at or above its LLN


@dataclass(frozen=True)
class Inputs:
    """What one lab offers for grading in one criterion set's unit."""

    value: float
    uln: float | None
    lln: float | None
    base: float | None
    base_abnormal: bool
    is_baseline: bool = False  # the lab is the baseline, or precedes it: "x baseline" does not apply
    # whether the baseline was below its LLN: known below, known at or above, or (both False) not known
    # (no baseline, no LLN on it and no interpretation flag, or the lab is the baseline itself)
    base_low: bool = False
    base_not_low: bool = False

    def available(self) -> frozenset[Input]:
        return self._available

    @cached_property
    def _available(self) -> frozenset[Input]:
        have: set[Input] = set()
        if self.uln is not None:
            have.add("ULN")
        if self.lln is not None:
            have.add("LLN")
        if self.base is not None:
            have.add("baseline")
        return frozenset(have)


@dataclass
class Pending:
    """One (lab, term) prepared for the engine, waiting for its hits."""

    lab: LabResult
    term: Term
    unit_set: str
    inputs: Inputs
    converted_from: str | None
    baseline: float | None  # in the canonical unit, as the output reports it
    # why the baseline is not the last result before the first cycle (that one cannot be graded); said on
    # the grades whose criteria read the baseline
    baseline_note: str | None = None


@dataclass(frozen=True)
class Choice:
    unit_set: str  # "si" or the conventional unit a set is written in
    factor: float  # from the set's unit to the canonical unit
    reported: bool  # the set is written in the unit the lab was reported in
    converted_from: str | None  # the reported unit, when the value had to be converted to the SI set


def _positive(x: float | None) -> float | None:
    """A limit or baseline of 0 (or less) cannot scale a criterion: treat it as missing."""
    return x if x is not None and x > 0 else None


def _inputs(lab: LabResult, baseline: Baseline | None, factor: float, reported: bool) -> Inputs:
    """The lab's inputs in the criterion set's unit (value, LLN, ULN and baseline all in that one unit).

    ``reported``: the set is written in the unit the laboratory reported, so the reported number is
    compared as written (no round trip through the canonical unit).
    The baseline itself, and any result before it, is graded without "x baseline" criteria and as if
    the baseline were normal (ULN multiples): a value cannot be a change from itself, and CTCAE's
    baseline criteria describe change on treatment (conservative: the ULN reading is the stricter one).
    """
    uln, lln = _positive(lab.high), _positive(lab.low)
    is_baseline = baseline is not None and lab.at <= baseline.lab.at
    base = _positive(baseline.lab.value) if baseline is not None and not is_baseline else None
    return Inputs(
        value=lab.reported_value if reported else lab.value / factor,
        uln=None if uln is None else uln / factor,
        lln=None if lln is None else lln / factor,
        base=None if base is None else base / factor,
        base_abnormal=bool(baseline and baseline.abnormal_high and not is_baseline),
        is_baseline=is_baseline,
        base_low=base is not None and baseline is not None and baseline.abnormal_low,
        base_not_low=base is not None and baseline is not None and _low_known(baseline) and not baseline.abnormal_low,
    )


def _low_known(baseline: Baseline) -> bool:
    """Whether the record says if the baseline was below its LLN: an interpretation flag, or an LLN."""
    return baseline.lab.flag is not None or baseline.lab.low is not None


def _numbers(inputs: Inputs) -> dict[str, float]:
    """The numeric fields of a fact: the same for every term graded in one set's unit."""
    value = inputs.value
    uln, lln, base = inputs.uln, inputs.lln, inputs.base
    return dict(
        value=signif(value),
        x_uln=signif(value / uln) if uln else 0.0, has_uln=1.0 if uln else 0.0,
        x_lln=signif(value / lln) if lln else 0.0, has_lln=1.0 if lln else 0.0,
        over_uln=signif(value - uln) if uln else 0.0,
        x_base=signif(value / base) if base else 0.0, has_base=1.0 if base else 0.0,
        pct_base=signif((value - base) / base * 100.0) if base else 0.0,
        base_abnormal=1.0 if inputs.base_abnormal else 0.0,
        base_low=1.0 if inputs.base_low else 0.0, base_not_low=1.0 if inputs.base_not_low else 0.0,
    )


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def criterion_set(lab: LabResult, term: Term) -> Choice:
    """The one criterion set a lab is graded in (rules/ctcae_v5.toml, "How a term is graded").

    A result reported in a unit CTCAE writes criteria in is graded on that unit's criteria only; any
    other unit is converted to the term's SI unit and says so (``converted_from``). Two spellings are
    the same unit when fhir_mappings/analytes.toml gives them the same factor (mg/dl is mg/dL, mEq/L of
    sodium is mmol/L). A term without a unit is graded on ratios (x ULN, x LLN, x baseline) or a
    dimensionless value, which do not depend on the unit. A derived count (a percent differential with
    a WBC) is computed in the canonical unit: it is not a conversion of a reported value. A calcium
    corrected for albumin is corrected in the unit it was reported in, and graded in that unit.
    """
    return _choice(term, lab.analyte, lab.reported_unit, lab.derivation == "share of the WBC")


# (term, analyte, reported unit, derived) -> Choice: a few dozen per table and site; the analyte table
# is read once per process, so the choice never changes for these four.
_CHOICES: dict[tuple[int, str, str, bool], tuple[Term, Choice]] = {}


def _choice(term: Term, analyte: str, reported_unit: str, derived: bool) -> Choice:
    key = (id(term), analyte, reported_unit, derived)
    known = _CHOICES.get(key)
    if known is not None and known[0] is term:  # the term itself is kept, so its id is never reused
        return known[1]
    units = analytes().analytes[analyte].units
    reported = None if derived else units.factor(reported_unit)
    choice = None
    if reported is None or term.unit is None:
        choice = Choice("si", 1.0, reported is not None and _same(reported, 1.0), None)
    else:
        for unit in term.sets:
            factor = units.factor(unit) if unit != "si" else None
            if factor is not None and _same(factor, reported):
                choice = Choice(unit, factor, True, None)
                break
        else:
            choice = Choice("si", 1.0, True, None) if _same(reported, 1.0) else Choice("si", 1.0, False, reported_unit)
    if len(_CHOICES) >= 10_000:
        _CHOICES.clear()
    _CHOICES[key] = (term, choice)
    return choice


def prepare(timeline: Timeline, table: CtcaeTable) -> tuple[dict[str, Pending], list[GradingFact]]:
    """Every (lab, applicable term) of one patient: what it waits for, and its fact (same key, in order)."""
    pending: dict[str, Pending] = {}
    facts: list[GradingFact] = []
    for index, lab in enumerate(timeline.labs):
        terms = table.for_analyte(lab.analyte)
        if not terms:
            continue
        baseline = timeline.baseline(lab.analyte)
        passed_over = baseline.passed_over_note() if baseline is not None else None  # once per lab, not per term
        per_set: dict[tuple[float, bool], tuple[Inputs, dict[str, float]]] = {}  # terms sharing a unit
        for term in terms:
            key = f"{index}|{term.id}"
            choice = criterion_set(lab, term)
            shared = per_set.get((choice.factor, choice.reported))
            if shared is None:
                inputs = _inputs(lab, baseline, choice.factor, choice.reported)
                shared = per_set[(choice.factor, choice.reported)] = (inputs, _numbers(inputs))
            inputs, numbers = shared
            used = baseline is not None and not inputs.is_baseline
            pending[key] = Pending(
                lab=lab, term=term, unit_set=choice.unit_set, inputs=inputs, converted_from=choice.converted_from,
                baseline=_positive(baseline.lab.value) if baseline is not None and used else None,
                baseline_note=passed_over if used else None,
            )
            facts.append(GradingFact(id=key, kind=FACT_KIND, term=term.id, unit_set=choice.unit_set, **numbers))
    return pending, facts
