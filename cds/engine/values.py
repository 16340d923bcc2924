"""How every engine reads a ruleset's constants and a fact's values, so that both implementations of
``cds.engine.Engine`` refuse the same inputs and compare the same numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from cds.engine.model import OPEN, EngineFact, Ruleset, numeric_fields
from cds.errors import ConfigurationError, EvaluationError

# json.dumps, and orjson which the adapter uses, write floats below 1e-4 or from 1e16 up in exponent form ("3e-05",
# "1e-7", "1e+16"); durable_rules' parser misreads them: the process then crashes (SIGSEGV, reproduced in
# tests/unit/engine/test_engine.py). Every threshold in rules/ lies well inside [1e-3, 1e6], so such magnitudes
# are mapped to 0.0 or +/-1e15: the same side of every threshold. Inside that range neither writes an exponent.
TINY, HUGE = 1e-4, 1e15


def engine_value(name: str, value: Any, numeric: bool) -> float | str:
    """A fact value the engine can take safely; raises EvaluationError otherwise."""
    if not numeric:
        if type(value) is not str:
            raise EvaluationError(f"fact field {name!r} is not an identifier")
        return value
    if type(value) is not float:  # bool and int are refused too
        raise EvaluationError(f"fact field {name!r} is not a float")
    magnitude = abs(value)
    if magnitude < TINY:
        return 0.0
    if magnitude >= HUGE:
        if not math.isfinite(value):
            raise EvaluationError(f"fact field {name!r} is not a finite number")
        return math.copysign(HUGE, value)
    if value != value:  # NaN: every comparison above was false
        raise EvaluationError(f"fact field {name!r} is not a finite number")
    return value


def check_constants(ruleset: Ruleset) -> None:
    """Non-zero thresholds must lie where fact values are exact (see engine_value), so that the clamp
    never moves a value across one; a magnitude below 1e-4 counts as 0 for the engine."""
    for rule in ruleset.rules:
        for test in rule.tests:
            if isinstance(test.value, float) and test.value != 0.0 and not TINY * 10 <= abs(test.value) < HUGE / 1e9:
                raise ConfigurationError(f"rule {rule.id}: threshold {test.value!r} is outside the engine's range")


def compared_numerically(ruleset: Ruleset) -> frozenset[str]:
    """Fields a rule compares with a number: they must carry floats, whatever the fact model says."""
    return frozenset(test.field for rule in ruleset.rules for test in rule.tests if isinstance(test.value, float))


def fact_bodies(ruleset: str, kind: str, numeric: frozenset[str], facts: Sequence[EngineFact]) -> list[dict[str, Any]]:
    """The facts as the engine takes them (``engine_value`` applied to every field); raises
    EvaluationError for a fact of another kind or two facts sharing an id.

    A fact's fields are read from the model's ``__dict__`` (what ``model_dump`` gives for fields that are
    floats or identifiers; anything else is refused either way), and a float already inside the engine's
    exact range is kept as it is: the same values as ``engine_value`` gives, at a fraction of the cost."""
    bodies = []
    ids = set()
    numeric_of: dict[type[EngineFact], frozenset[str]] = {}
    for fact in facts:
        body = dict(fact.__dict__)
        if body["kind"] != kind:
            raise EvaluationError(f"fact kind does not belong to ruleset {ruleset!r}")
        model = type(fact)
        fields = numeric_of.get(model)
        if fields is None:
            fields = numeric_of[model] = numeric_fields(model) | numeric
        for name, value in body.items():
            if name in fields:
                if type(value) is not float or not TINY <= abs(value) < HUGE:
                    # 0.0 for -0.0 and 0.0 as engine_value gives; tiny, huge, NaN or not a float: engine_value
                    body[name] = 0.0 if type(value) is float and value == 0.0 else engine_value(name, value, True)
            elif type(value) is not str:
                engine_value(name, value, False)  # refused
        if body["id"] in ids or body["id"] == OPEN:
            raise EvaluationError("two facts share an id in one evaluation")
        ids.add(body["id"])
        bodies.append(body)
    return bodies
