"""The memo of per-fact rule hits (``cds.engine.memo``): the same answers as the engine it wraps, for
any order and repetition of facts, on both engines and every real ruleset; keyed by the ruleset's
definition; every refusal of the port still made when every fact is a hit; nothing kept after a
failed evaluation; bounded."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from engine_facts import Loose, Num, unique
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import create_model

from cds import bootstrap
from cds.ctcae.decide import grade_timeline, ruleset_name
from cds.ctcae.prepare import FACT_KIND, GradingFact, prepare
from cds.ctcae.table import table
from cds.engine import Engine, EngineFact, Hit, Rule, Ruleset
from cds.engine import Test as Check
from cds.engine.durable_adapter import QuietHost, RuleEngine
from cds.engine.memo import Memo, MemoEngine, ruleset_digest
from cds.engine.reference import ReferenceEngine
from cds.errors import ConfigurationError, EvaluationError
from cds.facts import LabResult, Patient
from cds.timeline import Baseline, Timeline

RULESETS = {ruleset.name: ruleset for ruleset in bootstrap.all_rulesets()}


def small_ruleset(name: str, threshold: float = 8.0) -> Ruleset:
    return Ruleset(name=name, kind="k", rules=(
        Rule("lt", (Check("value", "<", threshold),)), Rule("ge", (Check("value", ">=", threshold),)),
    ))


def memoised(engine: Engine, rulesets: list[Ruleset], size: int = 1000) -> MemoEngine:
    return MemoEngine(engine, rulesets, Memo(size))


@pytest.fixture(scope="module", params=["durable", "reference"])
def raw(request: pytest.FixtureRequest) -> Engine:
    """Each engine with every real ruleset, without a memo."""
    kind: bootstrap.EngineKind = request.param
    return bootstrap.build_engine(kind)


def _fact_model(ruleset: Ruleset) -> type[EngineFact]:
    fields: dict[str, Any] = {}
    for rule in ruleset.rules:
        for test in rule.tests:
            fields[test.field] = (str if isinstance(test.value, str) else float, ...)
    model: type[EngineFact] = create_model(f"{ruleset.kind}_memo", __base__=EngineFact, **fields)
    return model


@st.composite
def bodies(draw: st.DrawFn, ruleset: Ruleset) -> dict[str, Any]:
    """One fact body (no id) with each field on, beside or far from one of the ruleset's constants."""
    constants: dict[str, list[float | str]] = {}
    for rule in ruleset.rules:
        for test in rule.tests:
            constants.setdefault(test.field, []).append(test.value)
    body: dict[str, Any] = {}
    for field, known in constants.items():
        if isinstance(known[0], str):
            body[field] = draw(st.sampled_from([*dict.fromkeys(str(v) for v in known), "unknown"]))
        else:
            near = st.tuples(st.sampled_from(sorted({float(v) for v in known})),
                             st.sampled_from([0.0, 1e-9, -1e-9, 0.5, -1.0])).map(sum)
            body[field] = draw(st.one_of(near, st.sampled_from([0.0, 1.0, 3e-5, 2e15, -0.0])))
    return body


@st.composite
def repeated_facts(draw: st.DrawFn, name: str) -> list[EngineFact]:
    """Facts drawn from a few distinct bodies, so that most repeat, each fact with its own id."""
    ruleset = RULESETS[name]
    model = _fact_model(ruleset)
    distinct = draw(st.lists(bodies(ruleset), min_size=1, max_size=6))
    picks = draw(st.lists(st.integers(0, len(distinct) - 1), min_size=1, max_size=30))
    return [model(id=f"f{i}", kind=ruleset.kind, **distinct[pick]) for i, pick in enumerate(picks)]


def in_rule_order(hits: list[Hit], ruleset: Ruleset) -> bool:
    order = [rule.id for rule in ruleset.rules]
    positions = [order.index(hit.rule_id) for hit in hits]
    return positions == sorted(positions)


@pytest.mark.parametrize("name", sorted(RULESETS))
@settings(max_examples=60, derandomize=True, database=None, deadline=None, print_blob=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_memo_gives_the_hits_of_the_engine_for_any_order_and_repetition(
    name: str, data: st.DataObject, raw: Engine
) -> None:
    facts = data.draw(repeated_facts(name))
    memo = memoised(raw, list(RULESETS.values()))
    expected = sorted(raw.evaluate(name, facts), key=str)
    first = memo.evaluate(name, facts)  # cold: misses, and repetitions within the call
    assert sorted(first, key=str) == expected and in_rule_order(first, RULESETS[name])
    shuffled = data.draw(st.permutations(facts))
    again = memo.evaluate(name, shuffled)  # every fact a hit now
    assert sorted(again, key=str) == expected and in_rule_order(again, RULESETS[name])
    assert memo.hits >= len(facts)


def timeline_of(rng: random.Random, ref: str, labs: int) -> Timeline:
    """Labs at their reported precision from two sites' ranges: many (lab, term) facts repeat."""
    analytes = [("platelets", "10*9/L", [(150.0, 400.0), (140.0, 440.0)], 0),
                ("creatinine", "umol/L", [(60.0, 110.0), (45.0, 90.0)], 1),
                ("hemoglobin", "g/L", [(130.0, 170.0), (120.0, 160.0)], 0)]
    first = date(2024, 1, 8)
    out = []
    for i in range(labs):
        analyte, unit, ranges, places = rng.choice(analytes)
        low, high = rng.choice(ranges)
        day = first + timedelta(days=rng.randint(-10, 120))
        value = round(low * 0.2 + (high * 3 - low * 0.2) * rng.randrange(25) / 24, places)  # 25 values
        out.append(LabResult(
            ref=f"Observation/{ref}-{i}", patient=ref, at=datetime(day.year, day.month, day.day, 8, tzinfo=UTC),
            day=day, analyte=analyte, loinc="0-0", value=value, unit=unit, reported_value=value, reported_unit=unit,
            low=low, high=high, range_source="observation",
        ))
    out.sort(key=lambda lab: (lab.at, lab.ref))
    baselines = {lab.analyte: Baseline(analyte=lab.analyte, lab=lab, abnormal_high=lab.value > (lab.high or 0),
                                       abnormal_low=False) for lab in out if lab.day <= first}
    return Timeline(patient=Patient(ref=ref), cycles=(), labs=tuple(out), ungradable=(), performance=(), body=(),
                    tumour=(), issues=(), baselines=baselines)


def test_ctcae_grades_of_a_cohort_are_the_same_with_and_without_the_memo(raw: Engine) -> None:
    """Real CTCAE facts (``cds.ctcae.prepare``) over a cohort that repeats values: the same grades,
    each under its own Observation, and the memo answered most of them."""
    rng = random.Random(20261202)
    memo = memoised(raw, list(RULESETS.values()), size=100_000)
    ctcae = table("5.0")
    for index in range(40):
        timeline = timeline_of(rng, f"Patient/m{index}", rng.randint(1, 40))
        assert grade_timeline(timeline, ctcae, memo) == grade_timeline(timeline, ctcae, raw)
    assert memo.hits > memo.misses


def test_a_changed_threshold_under_the_same_name_does_not_get_the_old_answer() -> None:
    """Two engines sharing one memo, each with a ruleset of the same name but another threshold: the
    key holds the ruleset's digest, so neither reads the other's entries."""
    name = unique("test_digest")
    shared = Memo(100)
    old, new = small_ruleset(name, 8.0), small_ruleset(name, 5.0)
    assert ruleset_digest(old) != ruleset_digest(new)
    assert ruleset_digest(old) == ruleset_digest(replace(old))
    before = MemoEngine(ReferenceEngine([old]), [old], shared)
    after = MemoEngine(ReferenceEngine([new]), [new], shared)
    fact = [Num(id="a", kind="k", value=6.0)]
    assert before.evaluate(name, fact) == [Hit("a", "lt")]
    assert after.evaluate(name, fact) == [Hit("a", "ge")]
    assert before.evaluate(name, fact) == [Hit("a", "lt")]
    assert len(shared) == 2


def test_a_memo_must_be_given_the_rulesets_of_its_engine() -> None:
    ruleset = small_ruleset(unique("test_given"))
    with pytest.raises(ConfigurationError):
        MemoEngine(ReferenceEngine([ruleset]), [small_ruleset(unique("other"))], Memo(10))
    with pytest.raises(ConfigurationError):
        Memo(-1)


@pytest.fixture
def warm() -> tuple[MemoEngine, str]:
    """A memo on each engine in which the facts of value 1.0 and 9.0 are already held."""
    name = unique("test_warm")
    memo = memoised(RuleEngine([small_ruleset(name)]), [small_ruleset(name)])
    memo.evaluate(name, [Num(id="a", kind="k", value=1.0), Num(id="b", kind="k", value=9.0)])
    assert len(memo.memo) == 2
    return memo, name


def test_every_refusal_of_the_port_is_made_when_every_fact_is_a_hit(warm: tuple[MemoEngine, str]) -> None:
    memo, name = warm
    hits_before = memo.hits
    assert memo.evaluate(name, [Num(id="x", kind="k", value=9.0), Num(id="y", kind="k", value=1.0)]) == [
        Hit("y", "lt"), Hit("x", "ge")]  # each answer under its own fact's id
    assert memo.hits == hits_before + 2
    with pytest.raises(EvaluationError, match="unknown ruleset"):
        memo.evaluate(unique("nope"), [Num(id="a", kind="k", value=1.0)])
    with pytest.raises(EvaluationError, match="kind"):
        memo.evaluate(name, [Num(id="a", kind="k", value=1.0), Num(id="b", kind="other", value=9.0)])
    with pytest.raises(EvaluationError, match="share an id"):
        memo.evaluate(name, [Num(id="a", kind="k", value=1.0), Num(id="a", kind="k", value=9.0)])
    for value in (True, 1, "1.0", None):
        with pytest.raises(EvaluationError, match=r"not a float|not an identifier"):
            memo.evaluate(name, [Num(id="a", kind="k", value=1.0), Loose(id="b", kind="k", value=value)])
    for value in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(EvaluationError, match="not a finite number"):
            memo.evaluate(name, [Num(id="a", kind="k", value=1.0), Loose(id="b", kind="k", value=value)])
    assert len(memo.memo) == 2


class FailsOnce(QuietHost):
    """A host whose first assert fails as the core can (a bare exception from the C extension)."""

    failed = False

    def assert_facts(self, ruleset: str, facts: Any, complete: Any = None) -> Any:
        if not FailsOnce.failed:
            FailsOnce.failed = True
            raise MemoryError("simulated: the core ran out of sessions")
        return super().assert_facts(ruleset, facts, complete)


class RaisingOnLt(RuleEngine):
    """An engine whose action for rule ``lt`` raises (a rule action swallowed into the state)."""

    def _collect(self, fact_id: str, rule_id: str) -> None:
        if rule_id == "lt":
            raise RuntimeError("boom")
        super()._collect(fact_id, rule_id)


def test_nothing_is_kept_after_an_engine_error() -> None:
    name = unique("test_fails_once")
    memo = memoised(RuleEngine([small_ruleset(name)], host=FailsOnce), [small_ruleset(name)])
    facts = [Num(id="a", kind="k", value=1.0), Num(id="b", kind="k", value=9.0)]
    with pytest.raises(EvaluationError, match="the rule engine failed"):
        memo.evaluate(name, facts)
    assert len(memo.memo) == 0
    assert memo.evaluate(name, facts) == [Hit("a", "lt"), Hit("b", "ge")]
    assert len(memo.memo) == 2

    name = unique("test_raising")
    memo = memoised(RaisingOnLt([small_ruleset(name)]), [small_ruleset(name)])
    assert memo.evaluate(name, [Num(id="b", kind="k", value=9.0)]) == [Hit("b", "ge")]
    for _ in range(3):  # the failing fact is evaluated, and fails, every time
        with pytest.raises(EvaluationError, match="a rule action raised"):
            memo.evaluate(name, [Num(id="a", kind="k", value=1.0), Num(id="c", kind="k", value=10.0)])
    assert len(memo.memo) == 1  # only the fact of the successful call


def test_the_lru_bound_holds_and_the_least_recently_used_goes_first() -> None:
    name = unique("test_lru")
    engine = ReferenceEngine([small_ruleset(name)])
    memo = memoised(engine, [small_ruleset(name)], size=3)
    for value in (1.0, 2.0, 3.0):
        memo.evaluate(name, [Num(id="a", kind="k", value=value)])
    memo.evaluate(name, [Num(id="a", kind="k", value=1.0)])  # 1.0 used again: 2.0 is now the oldest
    memo.evaluate(name, [Num(id=f"n{i}", kind="k", value=float(10 + i)) for i in range(2)])
    assert len(memo.memo) == 3
    misses = memo.misses
    memo.evaluate(name, [Num(id="a", kind="k", value=1.0)])
    assert memo.misses == misses  # kept
    memo.evaluate(name, [Num(id="a", kind="k", value=2.0)])
    assert memo.misses == misses + 1  # dropped
    memo.evaluate(name, [Num(id=f"f{i}", kind="k", value=float(i)) for i in range(50)])  # one call beyond it
    assert len(memo.memo) == 3
    memo.memo.resize(1)
    assert len(memo.memo) == 1


def test_size_zero_keeps_nothing_and_still_answers() -> None:
    name = unique("test_off")
    memo = memoised(ReferenceEngine([small_ruleset(name)]), [small_ruleset(name)], size=0)
    assert memo.evaluate(name, [Num(id="a", kind="k", value=1.0)]) == [Hit("a", "lt")]
    assert len(memo.memo) == 0 and memo.hits == 0
    with pytest.raises(EvaluationError, match="share an id"):
        memo.evaluate(name, [Num(id="a", kind="k", value=1.0), Num(id="a", kind="k", value=1.0)])


def test_the_misses_of_one_call_are_one_call_of_the_engine() -> None:
    name = unique("test_batching")
    calls: list[int] = []

    class Counting(ReferenceEngine):  # evaluate() goes through evaluate_checked() too: every call is counted
        def evaluate_checked(self, ruleset: str, bodies: Any) -> list[Hit]:
            calls.append(len(bodies))
            return super().evaluate_checked(ruleset, bodies)

    memo = memoised(Counting([small_ruleset(name)]), [small_ruleset(name)])
    memo.evaluate(name, [Num(id=f"f{i}", kind="k", value=float(i % 5)) for i in range(20)])
    memo.evaluate(name, [Num(id=f"f{i}", kind="k", value=float(i % 7)) for i in range(20)])
    assert calls == [5, 2]  # distinct missing bodies only, one call each time
    assert memo.evaluate(name, []) == []


def test_an_engine_that_takes_only_facts_gets_the_misses_as_facts() -> None:
    """An ``Engine`` without ``evaluate_checked`` (not a ``CheckedEngine``) is given the missing facts
    themselves, and answers as the memo's own engines do."""
    name = unique("test_facts_only")
    inner = ReferenceEngine([small_ruleset(name)])
    given: list[Any] = []

    class FactsOnly:
        rulesets = inner.rulesets

        def evaluate(self, ruleset: str, facts: Any) -> list[Hit]:
            given.extend(facts)
            return inner.evaluate(ruleset, facts)

    facts = [Num(id=f"f{i}", kind="k", value=float(i % 10)) for i in range(30)]
    memo = memoised(FactsOnly(), [small_ruleset(name)])
    assert set(memo.evaluate(name, facts)) == set(inner.evaluate(name, facts))
    assert len(given) == 10 and all(isinstance(fact, Num) for fact in given)


def test_threads_sharing_the_memo_each_get_their_own_answers() -> None:
    engine = bootstrap.build_engine("durable")
    memo = memoised(engine, list(RULESETS.values()), size=500)  # small: entries are dropped while read
    ctcae = table("5.0")
    rng = random.Random(7)
    timelines = [timeline_of(rng, f"Patient/t{i}", rng.randint(1, 25)) for i in range(60)]
    expected = {tl.patient.ref: grade_timeline(tl, ctcae, engine) for tl in timelines}

    def grade(timeline: Timeline) -> tuple[str, Any]:
        return timeline.patient.ref, grade_timeline(timeline, ctcae, memo)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(grade, timelines * 3))
    for ref, grades in results:
        assert grades == expected[ref]


def test_the_default_engine_is_the_memoised_process_engine() -> None:
    engine = bootstrap.default_engine()
    assert isinstance(engine, MemoEngine)
    assert engine is bootstrap.default_engine()
    assert engine.rulesets == tuple(RULESETS)
    pending, facts = prepare(timeline_of(random.Random(3), "Patient/d", 10), table("5.0"))
    assert facts and all(isinstance(f, GradingFact) and f.kind == FACT_KIND for f in facts)
    assert sorted(engine.evaluate(ruleset_name(table("5.0")), facts), key=str) == sorted(
        bootstrap.build_engine("durable").evaluate(ruleset_name(table("5.0")), facts), key=str)
    assert set(pending) == {f.id for f in facts}


class Tagged(EngineFact):
    term: str
    value: float
    other: float
    has: float = 1.0


def test_a_fact_is_keyed_by_the_fields_its_rules_can_read() -> None:
    """Facts that differ only in a field no rule in play for them tests share one entry; a difference
    in a field a rule in play tests, or in an identifier, does not."""
    name = unique("test_reads")
    ruleset = Ruleset(name=name, kind="k", rules=(
        Rule("a_low", (Check("term", "==", "a"), Check("value", "<", 8.0))),
        Rule("b_low", (Check("term", "==", "b"), Check("other", "<", 3.0))),
    ))
    memo = memoised(ReferenceEngine([ruleset]), [ruleset])
    assert memo.evaluate(name, [Tagged(id="1", kind="k", term="a", value=1.0, other=9.0),
                                Tagged(id="2", kind="k", term="a", value=1.0, other=1.0)]) == [
        Hit("1", "a_low"), Hit("2", "a_low")]
    assert len(memo.memo) == 1
    assert memo.evaluate(name, [Tagged(id="3", kind="k", term="b", value=1.0, other=9.0),
                                Tagged(id="4", kind="k", term="b", value=1.0, other=1.0),
                                Tagged(id="5", kind="k", term="a", value=9.0, other=1.0)]) == [Hit("4", "b_low")]
    assert len(memo.memo) == 4
    # a rule whose number flag (has == 1.0) fails is out of play too: its other field is not read
    memo.memo.clear()
    flagged = Ruleset(name=unique("test_flags"), kind="k", rules=(
        Rule("b_low", (Check("term", "==", "b"), Check("has", "==", 1.0), Check("other", "<", 3.0))),
        Rule("b_high", (Check("term", "==", "b"), Check("value", ">", 5.0))),
    ))
    memo = memoised(ReferenceEngine([flagged]), [flagged])
    assert memo.evaluate(flagged.name, [Tagged(id="1", kind="k", term="b", value=9.0, other=1.0, has=0.0),
                                        Tagged(id="2", kind="k", term="b", value=9.0, other=7.0, has=0.0)]) == [
        Hit("1", "b_high"), Hit("2", "b_high")]
    assert len(memo.memo) == 1
    assert memo.evaluate(flagged.name, [Tagged(id="3", kind="k", term="b", value=9.0, other=1.0, has=1.0),
                                        Tagged(id="4", kind="k", term="b", value=9.0, other=7.0, has=1.0)]) == [
        Hit("3", "b_low"), Hit("3", "b_high"), Hit("4", "b_high")]
    assert len(memo.memo) == 3


def test_the_service_setting_bounds_the_process_memo() -> None:
    from cds.hooks.settings import ServiceSettings

    assert ServiceSettings().engine_memo_size == 200_000
    assert ServiceSettings(engine_memo_size=0).engine_memo_size == 0
    with pytest.raises(ValueError, match="engine_memo_size"):
        ServiceSettings(engine_memo_size=-1)
    engine = bootstrap.default_engine()
    assert isinstance(engine, MemoEngine)
    before = engine.memo.size
    try:
        bootstrap.set_engine_memo_size(0)
        assert engine.memo.size == 0 and len(engine.memo) == 0
        bootstrap.set_engine_memo_size(5)
        assert engine.memo.size == 5
    finally:
        bootstrap.set_engine_memo_size(before)
