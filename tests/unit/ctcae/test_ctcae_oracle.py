"""The engine's CTCAE grading agrees with an independent plain-Python reading of the table.

``tests/oracle_ctcae.py`` reads ``rules/ctcae_v5.toml`` itself and grades in exact decimal arithmetic;
here the real path grades the same generated inputs and both must agree, term by term:

- per term, timelines built from ``LabResult`` facts (so LLN / ULN / baseline can each be missing, zero,
  or present, the baseline normal or abnormal, in any listed unit spelling) graded by
  ``cds.ctcae.grade_timeline`` on each engine (the ``engine`` fixture: durable_rules and the
  plain-Python reference); values are drawn on and beside every threshold of the term (absolute,
  x ULN, x LLN, x baseline, ULN + n, % change) and at random;
- a deterministic sweep of every threshold of every term, exactly on it and one quantum either side;
- FHIR resources built with ``tests/factories.py`` through ``cds.evaluation.evaluate_collected``
  (reference ranges present, partial or absent, so default ranges by sex; a baseline before the first
  administration with or without an interpretation).

The examples are derandomized and no example database is used, so CI is reproducible.

Generated numbers have at most about ten significant digits, as laboratories write them: the engine
rounds derived values to 12 significant digits by design (rules/ctcae_v5.toml), the oracle does not,
so a value within 5e-13 (relative) of a threshold is the one place they may differ by design.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import factories as fx
import oracle_ctcae as oracle
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds.ctcae.conclusions import ToxicityGrade
from cds.ctcae.decide import compile_ruleset, grade_timeline
from cds.ctcae.table import table
from cds.engine import Engine
from cds.evaluation import evaluate_collected
from cds.facts import LabResult, Patient
from cds.reading import from_objects
from cds.timeline import Baseline, Timeline

TERMS = sorted(oracle.terms())
EXTREMES = [Decimal(x) for x in ("0.00003", "0.00001", "0.00005", "0.000099", "0.0001", "1E+16", "2E+20", "123456789")]
REASON_INPUT = {"no upper limit of normal": "ULN", "no lower limit of normal": "LLN", "no baseline": "baseline"}


def reproducible(max_examples: int) -> Any:
    """Derandomized, no example database: the same examples on every run and every machine."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )



# --- comparing -------------------------------------------------------------------------------------


def missing_from_reason(reason: str | None) -> frozenset[str]:
    assert reason is not None and reason.endswith(": cannot grade"), reason
    return frozenset(REASON_INPUT[part] for part in reason.removesuffix(": cannot grade").split("; "))


def assert_agrees(got: ToxicityGrade, want: oracle.OracleGrade, context: Any) -> None:
    message = f"engine {got.grade} ({got.rule}, {got.reason}, {got.converted_from}) vs oracle {want} for {context}"
    assert got.grade == want.grade, message
    if not want.ungradable:  # one criterion set, in the reported unit or converted to SI (and said so)
        assert got.converted_from == want.converted_from, message
    if want.grade is None:
        if want.ungradable:
            assert got.reason is not None and "not convertible" in got.reason, message
        else:
            assert missing_from_reason(got.reason) == want.missing, message
    elif want.grade > 0:
        assert got.rule in want.rules, message
        assert (got.criterion_set,) == want.sets, message
    else:
        assert got.rule is not None and got.rule.endswith(".g0"), message
        assert (got.criterion_set,) == want.sets, message


# --- timelines of LabResult facts --------------------------------------------------------------------


@dataclass(frozen=True)
class LabSpec:
    value: Decimal
    unit: str
    lln: Decimal | None
    uln: Decimal | None
    early: bool = False  # taken before the baseline: graded like the baseline itself


@dataclass(frozen=True)
class Case:
    term: str
    labs: tuple[LabSpec, ...]
    baseline: Decimal | None
    baseline_unit: str
    baseline_abnormal: bool
    baseline_limits: tuple[Decimal | None, Decimal | None] = (None, None)
    grade_baseline: bool = False  # the baseline result is among the labs graded


def _factor(analyte: str, unit: str) -> float:
    found = oracle.factor(analyte, unit)
    assert found is not None
    return float(found)


def _lab_result(analyte: str, index: int, spec: LabSpec, patient: str, day: date) -> LabResult:
    f = _factor(analyte, spec.unit)  # the mapping's arithmetic: reported number x factor, in floats
    return LabResult(
        ref=f"Observation/{patient.rsplit('/', 1)[-1]}-{index}", patient=patient,
        at=datetime(day.year, day.month, day.day, 8, tzinfo=UTC), day=day, analyte=analyte, loinc="0-0",
        value=float(spec.value) * f, unit=oracle.canonical_unit(analyte),
        reported_value=float(spec.value), reported_unit=spec.unit,
        low=None if spec.lln is None else float(spec.lln) * f,
        high=None if spec.uln is None else float(spec.uln) * f,
        range_source="observation" if spec.lln is not None and spec.uln is not None else "none",
    )


def graded_specs(case: Case) -> list[tuple[LabSpec, bool]]:
    """(spec, is_baseline) of every lab the timeline grades, in timeline order."""
    has_baseline = case.baseline is not None
    out = [(spec, has_baseline and spec.early) for spec in case.labs]
    if has_baseline and case.grade_baseline:
        out.append((baseline_spec(case), True))
    return out


def baseline_spec(case: Case) -> LabSpec:
    assert case.baseline is not None
    return LabSpec(case.baseline, case.baseline_unit, *case.baseline_limits)


def timeline_of(case: Case, patient: str = "Patient/oracle") -> Timeline:
    analyte = oracle.terms()[case.term].analyte
    first = date(2024, 1, 10)
    early = date(2023, 12, 1)
    labs = [
        _lab_result(analyte, i, spec, patient, (early if spec.early else first) + timedelta(days=i))
        for i, spec in enumerate(case.labs)
    ]
    baselines = {}
    if case.baseline is not None:
        lab = _lab_result(analyte, 999, baseline_spec(case), patient, date(2024, 1, 2))
        baselines[analyte] = Baseline(
            analyte=analyte, lab=lab, abnormal_high=case.baseline_abnormal, abnormal_low=False
        )
        if case.grade_baseline:
            labs.append(lab)
    return Timeline(
        patient=Patient(ref=patient), cycles=(), labs=tuple(labs), ungradable=(), performance=(), body=(),
        tumour=(), issues=(), baselines=baselines,
    )


def _float(x: Decimal | None) -> float | None:
    return None if x is None else float(x)


def check_case(case: Case, engine: Engine) -> None:
    """Grade ``case`` on the engine path and with the oracle; every (lab, term) must agree."""
    timeline = timeline_of(case)
    grades = grade_timeline(timeline, table("5.0"), engine)
    analyte = oracle.terms()[case.term].analyte
    got = {(g.observation, g.term_id): g for g in grades}
    want_keys = {(lab.ref, term.id) for lab in timeline.labs for term in oracle.terms_for(analyte)}
    assert set(got) == want_keys
    for lab, (spec, is_baseline) in zip(timeline.labs, graded_specs(case), strict=True):
        for term in oracle.terms_for(analyte):
            want = oracle.grade(  # the numbers as the engine received them (floats)
                term.id, float(spec.value), spec.unit, lln=_float(spec.lln), uln=_float(spec.uln),
                baseline=_float(case.baseline), baseline_unit=case.baseline_unit,
                baseline_abnormal=case.baseline_abnormal, is_baseline=is_baseline,
            )
            assert_agrees(got[(lab.ref, term.id)], want, (term.id, spec, case))


# --- strategies --------------------------------------------------------------------------------------


def _places_for(magnitude: Decimal) -> int:
    """Decimal places giving about four significant digits at this magnitude (negative: a quantum of
    10, 100, ... for values counted per litre)."""
    if magnitude <= 0:
        return 2
    return min(6, 3 - magnitude.adjusted())


def _typical(analyte: str) -> tuple[Decimal, Decimal]:
    """(LLN, ULN) in the canonical unit to draw around: the default range, else a made-up one."""
    pair = oracle.default_range(analyte, "female") or oracle.default_range(analyte, "male")
    return pair if pair is not None else (Decimal(1), Decimal(2))


def _unit_choices(term_id: str) -> list[str]:
    analyte = oracle.terms()[term_id].analyte
    spellings = sorted(oracle.units(analyte))
    preferred = [oracle.canonical_unit(analyte), *(u for u in oracle.terms()[term_id].sets if u != "si")]
    return preferred * 3 + spellings  # the canonical and set units most of the time


def _to_unit(analyte: str, canonical: Decimal, unit: str) -> Decimal:
    f = oracle.factor(analyte, unit)
    assert f is not None
    return canonical / f


def _limit(draw: Any, typical: Decimal, places: int) -> Decimal | None:
    kind = draw(st.sampled_from(["typical", "typical", "typical", "typical", "missing", "zero"]))
    if kind == "missing":
        return None
    if kind == "zero":
        return Decimal(0)
    scale = Decimal(draw(st.integers(50, 150))) / 100
    return max((typical * scale).quantize(Decimal(1).scaleb(-places)), Decimal(1).scaleb(-places))


def _candidates(
    term_id: str, unit: str, lln: Decimal | None, uln: Decimal | None, base: Decimal | None
) -> list[Decimal]:
    """Values (in ``unit``) exactly on each threshold of the term, given these limits and baseline."""
    analyte = oracle.terms()[term_id].analyte
    f_unit = oracle.factor(analyte, unit)
    assert f_unit is not None
    out = []
    for set_unit, cond in oracle.thresholds(term_id):
        f_set = Decimal(1) if set_unit == "si" else oracle.factor(analyte, set_unit)
        assert f_set is not None
        in_unit = cond.number * f_set / f_unit  # a number written in the set's unit, in the lab's unit
        if cond.lhs == "pct":
            if base is not None:
                out.append(base * (1 + cond.number / 100))
        elif cond.scale is None:
            out.append(in_unit)
        elif cond.scale == "ULN+":
            if uln is not None:
                out.append(uln + in_unit)
        else:
            limit = {"ULN": uln, "LLN": lln, "baseline": base}[cond.scale]
            if limit is not None:
                out.append(cond.number * limit)
    return [c for c in out if c >= 0]


@st.composite
def cases(draw: Any, term_id: str) -> Case:
    term = oracle.terms()[term_id]
    analyte = term.analyte
    low_c, high_c = _typical(analyte)
    units = _unit_choices(term_id)
    base_unit = draw(st.sampled_from(units))
    base_places = _places_for(_to_unit(analyte, high_c, base_unit)) + draw(st.integers(0, 1))
    baseline = None
    if draw(st.booleans()):
        mid = _to_unit(analyte, (low_c + high_c) / 2, base_unit)
        scale = Decimal(draw(st.integers(20, 400))) / 100
        baseline = max((mid * scale).quantize(Decimal(1).scaleb(-base_places)), Decimal(1).scaleb(-base_places))
    abnormal = draw(st.booleans())
    labs = []
    for _ in range(draw(st.integers(1, 4))):
        unit = draw(st.sampled_from(units))
        uln_t, lln_t = _to_unit(analyte, high_c, unit), _to_unit(analyte, low_c, unit)
        places = _places_for(uln_t) + draw(st.integers(0, 2))
        lln = _limit(draw, lln_t, places)
        uln = _limit(draw, uln_t, places)
        base_here = None if baseline is None else baseline * oracle.factor(analyte, base_unit) / oracle.factor(
            analyte, unit
        )
        quantum = Decimal(1).scaleb(-places)
        candidates = _candidates(term_id, unit, lln, uln, base_here)
        choice = draw(st.integers(0, 19))
        if choice == 0:  # magnitudes json.dumps writes in exponent form ("3e-05"): see test_engine.py
            value = draw(st.sampled_from(EXTREMES))
        elif candidates and choice > 4:
            value = draw(st.sampled_from(candidates))
            value = value.quantize(Decimal(1).scaleb(-(places + 2)))  # on it when it can be written so
            value += quantum * draw(st.sampled_from([0, 0, 0, 1, -1, 7, -7]))
        else:
            top = max([uln_t * 25, *candidates]) if candidates else uln_t * 25
            value = (top * Decimal(draw(st.integers(0, 1000))) / 1000).quantize(quantum)
        labs.append(LabSpec(max(value, Decimal(0)), unit, lln, uln, early=draw(st.integers(0, 7)) == 0))
    base_limits: tuple[Decimal | None, Decimal | None] = (None, None)
    if baseline is not None:
        base_limits = (
            _limit(draw, _to_unit(analyte, low_c, base_unit), base_places),
            _limit(draw, _to_unit(analyte, high_c, base_unit), base_places),
        )
    return Case(term_id, tuple(labs), baseline, base_unit, abnormal, base_limits, draw(st.booleans()))


# --- the properties ------------------------------------------------------------------------------


def test_oracle_reads_the_same_rules_as_the_engine() -> None:
    """Both readings of the table know the same terms and rule ids (so every rule is tested)."""
    compiled = compile_ruleset(table("5.0"))
    engine_rules = {rule.id for rule in compiled.rules}
    oracle_rules = {c.rule for t in oracle.terms().values() for cs in t.sets.values() for c in cs}
    assert engine_rules == oracle_rules
    assert {t.id for t in table("5.0").terms} == set(TERMS)
    for term in table("5.0").terms:
        if term.unit is not None:  # the SI set is written in the analyte's canonical unit
            assert term.unit == oracle.canonical_unit(term.analyte), term.id


@pytest.mark.parametrize("term_id", TERMS)
@reproducible(max_examples=150)  # 40 terms x 150: about 15 s
@given(data=st.data())
def test_engine_agrees_with_oracle_on_generated_timelines(term_id: str, data: Any, engine: Engine) -> None:
    check_case(data.draw(cases(term_id)), engine)


@pytest.mark.parametrize("term_id", TERMS)
def test_every_threshold_exactly_on_and_beside(term_id: str, engine: Engine) -> None:
    """Deterministic sweep: every threshold of the term, on it and one quantum either side, with
    the baseline abnormal and not, in the canonical unit and in each conventional set's unit."""
    term = oracle.terms()[term_id]
    analyte = term.analyte
    low_c, high_c = _typical(analyte)
    for unit in dict.fromkeys([oracle.canonical_unit(analyte), *(u for u in term.sets if u != "si")]):
        uln, lln = _to_unit(analyte, high_c, unit), _to_unit(analyte, low_c, unit)
        places = _places_for(uln) + 2
        quantum = Decimal(1).scaleb(-places)
        uln, lln = uln.quantize(quantum), lln.quantize(quantum)
        base = (uln * Decimal("0.8")).quantize(quantum)
        values = []
        for candidate in _candidates(term_id, unit, lln, uln, base):
            on = candidate.quantize(quantum)  # exactly on it when it can be written with these places
            values += [on - quantum, on, on + quantum]
        specs = tuple(LabSpec(v, unit, lln if lln > 0 else None, uln) for v in values if v >= 0)
        for abnormal in (False, True):
            for chunk in range(0, len(specs), 8):
                check_case(Case(term_id, specs[chunk : chunk + 8], base, unit, abnormal), engine)


# --- the FHIR path -----------------------------------------------------------------------------------


def _fhir_number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() and abs(value) < 10**6 else float(value)


@st.composite
def fhir_cases(draw: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    term_id = draw(st.sampled_from(TERMS))
    case = draw(cases(term_id))
    analyte = oracle.terms()[term_id].analyte
    loinc = oracle.analyte_table()[analyte]["loinc"][0]
    sex = draw(st.sampled_from(["male", "female", "unknown"]))
    resources: list[dict[str, Any]] = [fx.patient("p1", gender=sex), fx.procedure("c1", "2024-01-08")]
    observations = []
    if case.baseline is not None:
        observations.append((
            "b", LabSpec(case.baseline, case.baseline_unit, None, None), "2024-01-02T08:00:00Z",
            draw(st.sampled_from([None, None, "H", "N", "L"])),
        ))
    for i, spec in enumerate(case.labs):
        shape = draw(st.sampled_from(["both", "both", "none", "high", "low"]))
        lln = spec.lln if shape in ("both", "low") else None
        uln = spec.uln if shape in ("both", "high") else None
        observations.append((f"o{i}", LabSpec(spec.value, spec.unit, lln, uln), f"2024-01-{10 + i}T08:00:00Z", None))
    for oid, spec, when, interpretation in observations:
        resources.append(fx.lab(
            oid, analyte, _fhir_number(spec.value), spec.unit, loinc=loinc,
            low=None if spec.lln is None else _fhir_number(spec.lln),
            high=None if spec.uln is None else _fhir_number(spec.uln),
            interpretation=interpretation, when=when,
        ))
    return resources, {"term": term_id, "sex": sex, "observations": observations, "analyte": analyte}


def _effective_range(analyte: str, sex: str, spec: LabSpec) -> tuple[Decimal | None, Decimal | None]:
    """LLN / ULN in the canonical unit as the FHIR input profile defines them: the Observation's own
    range, a missing side filled from the default table, no range at all: the default (by sex). A range
    with a limit below 0 or above the analyte's plausible maximum is refused whole, and the default
    stands in for it (cds/mapping/labs.py: such a range would make every result abnormal, or none), and
    so does a whole range whose low is above its high (a high of 0 excepted: it gives no ULN); a default
    side that would put the low above the high is not filled in."""
    f = oracle.factor(analyte, spec.unit)
    assert f is not None
    low = None if spec.lln is None else spec.lln * f
    high = None if spec.uln is None else spec.uln * f
    defaults = oracle.default_range(analyte, sex)
    highest = plausible_limits(analyte)[1]
    if any(limit is not None and not 0 <= limit <= highest for limit in (low, high)):
        return defaults if defaults is not None else (None, None)
    if low is not None and high is not None and low > high != 0:  # swapped limits: refused whole too
        return defaults if defaults is not None else (None, None)
    if defaults is not None:
        filled = (defaults[0] if low is None else low, defaults[1] if high is None else high)
        # a one-sided range whose limit lies beyond the default other side keeps that side missing
        if not ((low is None) != (high is None) and filled[0] > filled[1] != 0):
            low, high = filled
    return low, high


@reproducible(max_examples=400)
@given(fhir_cases())
def test_fhir_path_agrees_with_oracle(engine: Engine, generated: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    resources, info = generated
    analyte, sex = info["analyte"], info["sex"]
    evaluation = evaluate_collected(from_objects(resources), engine=engine)
    (patient,) = evaluation.patients
    got = {(g.observation, g.term_id): g for g in patient.toxicities}
    canonical = oracle.canonical_unit(analyte)
    baseline = baseline_abnormal = None
    for oid, spec, _when, interpretation in info["observations"]:
        if oid == "b" and not plausible_value(analyte, spec.value, spec.unit):
            continue  # an implausible baseline is no baseline
        if oid == "b":
            f = oracle.factor(analyte, spec.unit)
            assert f is not None
            baseline = spec.value * f
            _, uln = _effective_range(analyte, sex, spec)
            baseline_abnormal = interpretation == "H" if interpretation else (uln is not None and baseline > uln)
    assert {key[0] for key in got} == {f"Observation/{o[0]}" for o in info["observations"]}
    for oid, spec, _when, _interpretation in info["observations"]:
        if not plausible_value(analyte, spec.value, spec.unit):
            assert_implausible(got, f"Observation/{oid}", analyte)
            continue
        lln, uln = _effective_range(analyte, sex, spec)
        for term in oracle.terms_for(analyte):
            want = oracle.grade(
                term.id, spec.value, spec.unit, lln=lln, uln=uln, range_unit=canonical,
                baseline=baseline, baseline_unit=canonical, baseline_abnormal=bool(baseline_abnormal),
                is_baseline=oid == "b",
            )
            assert_agrees(got[(f"Observation/{oid}", term.id)], want, (term.id, oid, spec, info, canonical))


# --- plausibility ------------------------------------------------------------------------------------
# fhir_mappings/analytes.toml gives each analyte plausible limits (``plausible``, limits included); a
# result outside them is "cannot grade: implausible value" on the FHIR path, whatever CTCAE says. Read
# here from the raw table in exact decimals, independently of cds.tables.


def plausible_limits(analyte: str) -> tuple[Decimal, Decimal]:
    entry = oracle.analyte_table()[analyte]["plausible"]
    f = oracle.factor(analyte, entry["unit"])
    assert f is not None
    return Decimal(entry["low"]) * f, Decimal(entry["high"]) * f


def plausible_value(analyte: str, value: Decimal, unit: str) -> bool:
    f = oracle.factor(analyte, unit)
    assert f is not None
    low, high = plausible_limits(analyte)
    return low <= value * f <= high


def assert_implausible(got: dict[tuple[str, str], ToxicityGrade], observation: str, analyte: str) -> None:
    for term in oracle.terms_for(analyte):
        entry = got[(observation, term.id)]
        assert entry.grade is None, (term.id, entry)
        assert entry.reason is not None and entry.reason.startswith("cannot grade: implausible value"), entry


@st.composite
def plausibility_cases(draw: Any) -> tuple[str, str, Decimal]:
    """(term, unit, value): a value on a plausible limit of the term's analyte, a few quanta inside or
    outside it, in any listed unit; or a value no patient has (negative, 1e308)."""
    term_id = draw(st.sampled_from(TERMS))
    analyte = oracle.terms()[term_id].analyte
    unit = draw(st.sampled_from(_unit_choices(term_id)))
    if draw(st.integers(0, 5)) == 0:
        return term_id, unit, draw(st.sampled_from([Decimal("-1"), Decimal("-0.001"), Decimal("1E+308")]))
    edge = _to_unit(analyte, draw(st.sampled_from(plausible_limits(analyte))), unit)
    quantum = Decimal(1).scaleb(-(_places_for(edge) + draw(st.integers(0, 3))))
    value = edge.quantize(quantum) + quantum * draw(st.sampled_from([0, 0, 1, -1, 3, -3]))
    return term_id, unit, value


@reproducible(max_examples=300)
@given(plausibility_cases())
def test_implausible_values_are_never_graded_on_either_side_of_the_limits(
    engine: Engine, case: tuple[str, str, Decimal]
) -> None:
    """Around every plausible limit: outside, "cannot grade: implausible value" for every term of the
    analyte; inside (the limit itself included), the oracle's CTCAE grade. Within 1e-12 (relative) of a
    limit the float product of the mapping may fall either side: only "no crash" is asserted there."""
    term_id, unit, value = case
    analyte = oracle.terms()[term_id].analyte
    loinc = oracle.analyte_table()[analyte]["loinc"][0]
    resources = [fx.patient("p1"), fx.procedure("c1", "2024-01-08"),
                 fx.lab("o1", analyte, _fhir_number(value), unit, loinc=loinc, when="2024-01-10T08:00:00Z")]
    (patient,) = evaluate_collected(from_objects(resources), engine=engine).patients
    got = {(g.observation, g.term_id): g for g in patient.toxicities}
    f = oracle.factor(analyte, unit)
    assert f is not None
    if any(abs(value * f - limit) <= abs(limit) * Decimal("1e-12") and value * f != limit
           for limit in plausible_limits(analyte)):
        return
    if not plausible_value(analyte, value, unit):
        assert_implausible(got, "Observation/o1", analyte)
        return
    lln, uln = _effective_range(analyte, "female", LabSpec(value, unit, None, None))
    for term in oracle.terms_for(analyte):
        want = oracle.grade(term.id, value, unit, lln=lln, uln=uln, range_unit=oracle.canonical_unit(analyte))
        assert_agrees(got[("Observation/o1", term.id)], want, (term.id, value, unit))


def test_the_designed_difference_twelve_significant_digits(engine: Engine) -> None:
    """Where the two readings differ by design: the engine rounds derived values to 12 significant
    digits (rules/ctcae_v5.toml, "3 x ULN computed as 2.9999999999999996 is 3"), the oracle compares
    exactly. WBC 100,000,000,000.1 /L is 100.0000000001 x 10^9/L: above the grade 3 cut-off of 100 by
    1e-12 (relative), which the engine reads as on it. From 1e-11 on, both agree."""
    on_it = Case("leukocytosis", (LabSpec(Decimal("100000000000.1"), "/L", None, None),), None, "/L", False)
    grades = {g.term_id: g.grade for g in grade_timeline(timeline_of(on_it), table("5.0"), engine)}
    assert grades["leukocytosis"] == 0
    assert oracle.grade("leukocytosis", 100000000000.1, "/L").grade == 3
    check_case(Case("leukocytosis", (LabSpec(Decimal("100000000001"), "/L", None, None),), None, "/L", False),
               engine)


@pytest.mark.parametrize(("term_id", "value", "lln", "uln", "grade"), [
    ("hypermagnesemia", "3.0", "1.5", "2.4", 1),
    ("cholesterol_high", "300", None, "200", 1),
    ("cholesterol_high", "400", None, "200", 2),
    ("cholesterol_high", "500", None, "200", 3),
    ("hypercalcemia", "12.5", "9.0", "10.5", 2),
    ("hypocalcemia", "8.0", "9.0", "10.5", 1),
    ("hypocalcemia", "7.0", "9.0", "10.5", 2),
    ("hypocalcemia", "6.0", "9.0", "10.5", 3),
    ("hypoglycemia", "30", "70", "100", 3),
    ("hypomagnesemia", "1.2", "1.5", "2.4", 1),
    ("hypomagnesemia", "0.9", "1.5", "2.4", 2),
    ("hypomagnesemia", "0.7", "1.5", "2.4", 3),
])
def test_a_value_in_mg_dl_is_graded_by_the_mg_dl_criteria_only(
    term_id: str, value: str, lln: str | None, uln: str, grade: int, engine: Engine
) -> None:
    """The mg/dL boundaries of the issue: CTCAE's mg/dL grade, never one higher through the rounded
    mmol/L figure; both readings agree on it, and neither says the value was converted."""
    want = oracle.grade(term_id, value, "mg/dL", lln=lln, uln=uln)
    assert (want.grade, want.sets, want.converted_from) == (grade, ("mg/dL",), None)
    spec = LabSpec(Decimal(value), "mg/dL", None if lln is None else Decimal(lln), Decimal(uln))
    check_case(Case(term_id, (spec,), None, "mg/dL", False), engine)


def test_ionized_calcium_in_mg_dl_is_converted_and_says_so(engine: Engine) -> None:
    """CTCAE v5.0 grades ionized calcium in mmol/L only: 6.02 mg/dL is 1.502 mmol/L, grade 2."""
    want = oracle.grade("hypercalcemia_ionized", "6.02", "mg/dL", lln="4.5", uln="5.3")
    assert (want.grade, want.sets, want.converted_from) == (2, ("si",), "mg/dL")
    spec = LabSpec(Decimal("6.02"), "mg/dL", Decimal("4.5"), Decimal("5.3"))
    check_case(Case("hypercalcemia_ionized", (spec,), None, "mg/dL", False), engine)
