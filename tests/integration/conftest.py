"""The live service the integration tests call: one real uvicorn process per test module."""

from __future__ import annotations

from collections.abc import Iterator

import hooks_support as hs
import httpx
import pytest


@pytest.fixture(scope="module")
def live() -> hs.SharedService:
    return hs.shared_service()


@pytest.fixture
def client(live: hs.SharedService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.service.url, timeout=30.0) as http:
        yield http
