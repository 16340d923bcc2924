"""Shared fixtures. Test data comes from ``tests/factories.py`` (importable as ``factories``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import hooks_support as hs
import pytest

from cds.bootstrap import EngineKind, build_engine
from cds.engine import Engine
from cds.mapping import Mapped, map_collected
from cds.reading import from_objects


@pytest.fixture
def map_fhir() -> Callable[..., Mapped]:
    """Map FHIR resources, Bundles or lists given as dicts, exactly as the CLI maps files."""

    def run(*objects: Any) -> Mapped:
        return map_collected(from_objects(objects))

    return run


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A schema of its own on the test PostgreSQL (skipped with the reason where it does not answer)."""
    with hs.postgres_schema() as schema:
        yield schema


ENGINE_KINDS: tuple[EngineKind, ...] = ("durable", "reference")


@pytest.fixture(scope="session", params=ENGINE_KINDS)
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each implementation of the engine port in turn, with every ruleset of prrt-cds: a test that takes
    this fixture runs on durable_rules and on the plain-Python reference engine."""
    kind: EngineKind = request.param
    return build_engine(kind)
