"""Shared fixtures. Test data comes from ``tests/factories.py`` (importable as ``factories``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cds.mapping import Mapped, map_collected
from cds.reading import from_objects


@pytest.fixture
def map_fhir() -> Callable[..., Mapped]:
    """Map FHIR resources, Bundles or lists given as dicts, exactly as the CLI maps files."""

    def run(*objects: Any) -> Mapped:
        return map_collected(from_objects(objects))

    return run
