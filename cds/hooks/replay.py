"""The short-term memory of JWT ids already accepted (best practices, "JWT" step 6).

It must be shared by every process that answers for the service, or a token replayed to another
uvicorn worker would pass: Redis when ``replay_cache_url`` names one, else the database (SQLite file
or PostgreSQL, which every worker shares). ``memory://`` keeps the ids in the process: acceptable only
for a single worker, and ``prrt-cds serve`` refuses it with more than one.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

from fastapi.concurrency import run_in_threadpool
from redis.asyncio import Redis
from redis.exceptions import RedisError

from cds.hooks.store import Store, StoreError

MEMORY_URL = "memory://"
PURGE_EVERY = 500  # claims between two purges of expired ids (database cache)


class ReplayCacheError(Exception):
    """The replay cache could not be consulted: the request cannot be authenticated (503)."""


class ReplayCache(Protocol):
    async def claim(self, key: str, expires_at: float) -> bool:
        """Remember ``key`` until ``expires_at`` (epoch seconds); False if it was already remembered."""
        ...

    async def close(self) -> None: ...


class MemoryReplayCache:
    """In-process only: correct for one worker process, wrong for several (each has its own memory)."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}

    async def claim(self, key: str, expires_at: float) -> bool:
        now = time.time()
        if len(self._seen) > 10_000:
            self._seen = {k: v for k, v in self._seen.items() if v >= now}
        held = self._seen.get(key)
        if held is not None and held >= now:
            return False
        self._seen[key] = expires_at
        return True

    async def close(self) -> None:
        self._seen.clear()


class RedisReplayCache:
    """``SET key 1 NX EXAT expiry``: atomic across every worker and replica that share the Redis."""

    def __init__(self, url: str, prefix: str = "prrt-cds:jwt:") -> None:
        self.redis = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self.prefix = prefix

    async def claim(self, key: str, expires_at: float) -> bool:
        try:
            stored = await self.redis.set(self.prefix + key, b"1", nx=True, exat=max(int(expires_at) + 1, 1))
        except RedisError as exc:
            raise ReplayCacheError(f"redis unavailable ({type(exc).__name__})") from None
        return bool(stored)

    async def close(self) -> None:
        await self.redis.aclose()


class DatabaseReplayCache:
    """A table of the shared database; expired ids are purged now and then."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._claims = 0

    def _claim(self, key: str, expires_at: float) -> bool:
        now = datetime.now(UTC)
        self._claims += 1
        if self._claims % PURGE_EVERY == 1:
            self.store.purge_jwts(now)
        return self.store.claim_jwt(key, datetime.fromtimestamp(expires_at, UTC), now)

    async def claim(self, key: str, expires_at: float) -> bool:
        try:
            return await run_in_threadpool(self._claim, key, expires_at)
        except StoreError as exc:
            raise ReplayCacheError(str(exc)) from None

    async def close(self) -> None:
        return None


def replay_cache(url: str | None, store: Store) -> ReplayCache:
    if url is None:
        return DatabaseReplayCache(store)
    if url == MEMORY_URL:
        return MemoryReplayCache()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisReplayCache(url)
    raise ValueError("replay_cache_url must be redis://..., rediss://..., unix://... or memory://")
