"""Fact models, ids and a two-rule ruleset shared by the engine tests (the adapter's, the memo's and the
input check's)."""

from __future__ import annotations

import uuid
from typing import Any

from cds.engine import EngineFact, Rule, Ruleset
from cds.engine import Test as Check


class Num(EngineFact):
    value: float


class Loose(EngineFact):
    """A fact model that does not type its field: the adapter itself must refuse what is unsafe."""

    value: Any


def unique(prefix: str) -> str:
    """A ruleset name no other test uses (durable_rules registers a name once per process)."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def small_ruleset(name: str, kind: str = "k") -> Ruleset:
    """Two rules on ``value``: ``lt8`` below 8.0 and ``ge8`` from 8.0 up."""
    return Ruleset(
        name=name, kind=kind,
        rules=(Rule("lt8", (Check("value", "<", 8.0),)), Rule("ge8", (Check("value", ">=", 8.0),))),
    )
