"""Fact models and ids shared by the engine tests (the adapter's and the memo's)."""

from __future__ import annotations

import uuid
from typing import Any

from cds.engine import EngineFact


class Num(EngineFact):
    value: float


class Loose(EngineFact):
    """A fact model that does not type its field: the adapter itself must refuse what is unsafe."""

    value: Any


def unique(prefix: str) -> str:
    """A ruleset name no other test uses (durable_rules registers a name once per process)."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"
