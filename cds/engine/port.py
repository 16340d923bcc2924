"""What the concerns ask of a rule engine: run one ruleset over facts, and say which rulesets it holds.

Two implementations keep the same semantics (docs/rule-engine.md): ``durable_adapter.RuleEngine`` on
durable_rules, and ``reference.ReferenceEngine`` in plain Python; the composition root (``cds.bootstrap``)
builds one and the evaluation passes it down.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from cds.engine.model import EngineFact, Hit


class Engine(Protocol):
    """A rule engine holding a fixed set of rulesets."""

    @property
    def rulesets(self) -> tuple[str, ...]:
        """The names of the rulesets it holds, in the order it was given them."""
        ...

    def evaluate(self, ruleset: str, facts: Sequence[EngineFact]) -> list[Hit]:
        """Every (fact, rule) of ``ruleset`` that ``facts`` fire, each fact alone in a fresh session.

        Raises ``EvaluationError`` for an unknown ruleset, a fact of another kind, two facts sharing an
        id, a value that is neither a float nor an identifier where the ruleset needs one, or a fact the
        engine did not process; never returns "no finding" for a fact it could not evaluate.
        """
        ...


@runtime_checkable
class CheckedEngine(Engine, Protocol):
    """An engine that also takes facts already read by ``cds.engine.values.fact_bodies`` for the ruleset
    (as the memo reads them), so that they are not read and checked a second time."""

    def evaluate_checked(self, ruleset: str, bodies: Sequence[dict[str, Any]]) -> list[Hit]:
        """``evaluate`` of the facts whose bodies ``fact_bodies`` gave for ``ruleset``; the bodies are
        not changed. Raises ``EvaluationError`` as ``evaluate`` does for the engine's own failures."""
        ...
