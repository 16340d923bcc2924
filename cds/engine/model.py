"""The plain values every engine takes and gives: rulesets of tests, facts, and hits (no engine import)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel

Comparator = Literal["<", "<=", ">", ">=", "=="]
SEEN = "__seen__"  # the catch-all rule every ruleset carries: each fact must report back through it
OPEN = "__open__"  # the fact that opens every session; only the catch-all rule matches it


@dataclass(frozen=True)
class Test:
    """One comparison of a fact field with a constant."""

    field: str
    op: Comparator
    value: float | str


@dataclass(frozen=True)
class Rule:
    """A named conjunction of tests. The rule fires for every asserted fact that passes them all."""

    id: str
    tests: tuple[Test, ...]


@dataclass(frozen=True)
class Ruleset:
    name: str
    kind: str  # every fact of this ruleset carries ``kind == <kind>``; the catch-all rule keys on it
    rules: tuple[Rule, ...]


class EngineFact(BaseModel):
    """Base of the facts handed to the engine: an id, a kind, and float or identifier fields."""

    # strict: True never becomes 1.0, nor "70" 70.0, on the way in.
    model_config = {"frozen": True, "extra": "forbid", "strict": True}
    id: str
    kind: str


@dataclass(frozen=True)
class Hit:
    fact_id: str
    rule_id: str


@cache
def numeric_fields(model: type[EngineFact]) -> frozenset[str]:
    """The fields a fact model declares as floats."""
    return frozenset(name for name, info in model.model_fields.items() if info.annotation is float)
