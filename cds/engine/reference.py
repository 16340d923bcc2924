"""A plain-Python implementation of ``cds.engine.Engine`` with the durable_rules adapter's semantics.

It exists so that every rule can be checked on two engines (a disagreement fails the tests) and so that
code and tests can run without durable_rules' C core. Same reading of facts (``cds.engine.values``: floats
or identifiers, magnitudes below 1e-4 as 0, beyond 1e15 clamped, NaN and infinities refused), same
refusals (unknown ruleset, a fact of another kind, a shared id, a threshold outside the engine's range),
and every fact matched by its ruleset's catch-all, so no fact goes unreported.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cds.engine.model import Comparator, EngineFact, Hit, Ruleset, Test
from cds.engine.values import check_constants, compared_numerically, fact_bodies
from cds.errors import EvaluationError

_COMPARE: dict[Comparator, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
}


def _holds(test: Test, body: dict[str, Any]) -> bool:
    """A test on a field the fact lacks, or between a number and an identifier, does not hold."""
    if test.field not in body:
        return False
    value = body[test.field]
    if isinstance(value, str) != isinstance(test.value, str):
        return False
    return _COMPARE[test.op](value, test.value)


class ReferenceEngine:
    """Every ruleset of prrt-cds evaluated by plain comparisons, rule by rule, fact by fact."""

    def __init__(self, rulesets: Iterable[Ruleset]) -> None:
        self._rulesets: dict[str, Ruleset] = {}
        self._numeric: dict[str, frozenset[str]] = {}
        for ruleset in rulesets:
            if ruleset.name in self._rulesets:
                raise EvaluationError(f"ruleset {ruleset.name!r} defined twice")
            check_constants(ruleset)
            self._rulesets[ruleset.name] = ruleset
            self._numeric[ruleset.name] = compared_numerically(ruleset)

    @property
    def rulesets(self) -> tuple[str, ...]:
        return tuple(self._rulesets)

    def evaluate(self, ruleset: str, facts: Sequence[EngineFact]) -> list[Hit]:
        """Every (fact, rule) of ``ruleset`` that ``facts`` fire, rule by rule in table order."""
        definition = self._rulesets.get(ruleset)
        if definition is None:
            raise EvaluationError(f"unknown ruleset {ruleset!r}")
        if not facts:
            return []
        return self.evaluate_checked(ruleset, fact_bodies(ruleset, definition.kind, self._numeric[ruleset], facts))

    def evaluate_checked(self, ruleset: str, bodies: Sequence[dict[str, Any]]) -> list[Hit]:
        """``evaluate`` of bodies ``fact_bodies`` gave for ``ruleset`` (``cds.engine.port.CheckedEngine``)."""
        definition = self._rulesets.get(ruleset)
        if definition is None:
            raise EvaluationError(f"unknown ruleset {ruleset!r}")
        return [
            Hit(str(body["id"]), rule.id)
            for rule in definition.rules
            for body in bodies
            if all(_holds(test, body) for test in rule.tests)
        ]
