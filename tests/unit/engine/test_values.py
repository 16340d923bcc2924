"""``cds.engine.values.fact_bodies`` gives exactly what ``engine_value`` gives field by field, and refuses
exactly what it refuses."""

from __future__ import annotations

import copy
import math
from typing import Any

import orjson
import pytest
from engine_facts import Num, small_ruleset, unique
from hypothesis import given, settings
from hypothesis import strategies as st

from cds.engine.durable_adapter import RuleEngine
from cds.engine.model import EngineFact
from cds.engine.port import CheckedEngine
from cds.engine.reference import ReferenceEngine
from cds.engine.values import engine_value, fact_bodies
from cds.errors import EvaluationError


class Two(EngineFact):
    term: str
    value: float
    ratio: float
    flag: float = 0.0


NUMERIC = frozenset({"value", "ratio", "flag"})
SPECIAL = [0.0, -0.0, 1e-4, -1e-4, 9.99e-5, 1e-300, 5e-324, 1e15, -1e15, 9.99e14, 1e16, math.inf, -math.inf, math.nan]
floats = st.one_of(st.sampled_from(SPECIAL), st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e6, 1e6))
values = st.one_of(floats, floats, floats, st.integers(-5, 5), st.booleans(), st.text(max_size=3), st.none())


def expected(body: dict[str, Any]) -> dict[str, Any] | None:
    """engine_value on every field; None where it refuses one."""
    try:
        return {name: engine_value(name, value, name in NUMERIC) for name, value in body.items()}
    except EvaluationError:
        return None


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal values, and the same sign of every zero (-0.0 == 0.0 in Python)."""
    def sign(x: Any) -> float | None:
        return math.copysign(1, x) if isinstance(x, float) else None

    return a.keys() == b.keys() and all(
        type(a[k]) is type(b[k]) and a[k] == b[k] and sign(a[k]) == sign(b[k]) for k in a
    )


@settings(max_examples=3000, deadline=None)
@given(value=values, ratio=values, flag=values, term=st.one_of(st.text(max_size=3), st.integers(0, 2)))
def test_fact_bodies_agrees_with_engine_value_field_by_field(value: Any, ratio: Any, flag: Any, term: Any) -> None:
    fact = Two.model_construct(id="o1", kind="k", term=term, value=value, ratio=ratio, flag=flag)
    want = expected(dict(fact.__dict__))
    if want is None:
        with pytest.raises(EvaluationError):
            fact_bodies("rs", "k", NUMERIC, [fact])
    else:
        (got,) = fact_bodies("rs", "k", NUMERIC, [fact])
        assert same(got, want)


def test_a_negative_zero_is_written_as_zero_and_in_range_values_are_kept() -> None:
    (body,) = fact_bodies("rs", "k", NUMERIC, [Two(id="o1", kind="k", term="t", value=-0.0, ratio=2.5)])
    assert math.copysign(1, body["value"]) == 1.0 and body["ratio"] == 2.5 and body["flag"] == 0.0


@pytest.mark.parametrize("extra", [{"sid": "x"}, {}])
def test_a_fact_built_without_validation_is_still_read_as_engine_value_reads_it(extra: dict[str, Any]) -> None:
    fact = Two.model_construct(id="o1", kind="k", term="t", value=3e-5, ratio=2.0, **extra)
    (body,) = fact_bodies("rs", "k", NUMERIC, [fact])
    assert body["value"] == 0.0 and body["ratio"] == 2.0
    bare = Two.model_construct(id="o1", kind="k", term="t", value=1.0)  # ratio and flag absent
    assert "ratio" not in fact_bodies("rs", "k", NUMERIC, [bare])[0]


@settings(max_examples=5000, deadline=None)
@given(st.one_of(st.floats(1e-4, 1e15, exclude_max=True), st.floats(-1e15, -1e-4, exclude_min=True),
                 st.sampled_from([0.0, 1e-4, 9.999999999999999e14, 0.00010000000000000002])))
def test_the_adapters_encoder_writes_no_exponent_for_a_value_the_engine_takes(value: float) -> None:
    """The core misreads exponent form (docs/rule-engine.md); every value engine_value lets through is
    written by orjson as plain decimals, and reads back as the same float."""
    text = orjson.dumps(engine_value("v", value, True)).decode()
    assert "e" not in text.lower() and float(text) == engine_value("v", value, True)


@pytest.mark.parametrize("build", [ReferenceEngine, RuleEngine])
def test_an_engine_given_checked_bodies_answers_as_from_the_facts_and_leaves_the_bodies_as_they_were(
    build: type[ReferenceEngine] | type[RuleEngine],
) -> None:
    """The memo hands its misses to the engine as the bodies it read (``CheckedEngine``): the answer is the
    one ``evaluate`` gives, and the memo's bodies are not changed (the adapter adds its session id to
    copies)."""
    name = unique("test_checked")
    engine = build([small_ruleset(name)])
    assert isinstance(engine, CheckedEngine)
    facts = [Num(id=f"o{i}", kind="k", value=float(i)) for i in range(12)]
    bodies = fact_bodies(name, "k", frozenset({"value"}), facts)
    before = copy.deepcopy(bodies)
    assert set(engine.evaluate_checked(name, bodies)) == set(engine.evaluate(name, facts))
    assert len(engine.evaluate_checked(name, bodies)) == 12
    assert bodies == before
    with pytest.raises(EvaluationError):
        engine.evaluate_checked("no_such_ruleset", bodies)
