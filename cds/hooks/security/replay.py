"""The short-term memory of JWT ids already accepted (best practices, "JWT" step 6).

It must be shared by every process that answers for the service, or a token replayed to another
uvicorn worker would pass: Redis when ``replay_cache_url`` names one, else the database (SQLite file
or PostgreSQL, which every worker shares). ``memory://`` keeps the ids in the process: acceptable only
for a single worker, and ``prrt-cds serve`` refuses it with more than one.

A cache that forgets (Redis restarted without persistence, or with a snapshot older than its last
writes; a ``memory://`` process restarted) would let a token it saw before be used again. Each such
cache therefore has an epoch, the time it started remembering, and refuses every token issued before
it: Redis keeps it as a key beside the ids, with the Redis process's run_id, so that a restarted Redis
(a new run_id) gets a new epoch, its own start; the memory cache has its creation time. The database
cache is durable storage and needs none. Not covered: ids removed from a Redis that keeps running
(FLUSHALL, eviction under an ``allkeys-*`` policy; the README asks for ``noeviction``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

from fastapi.concurrency import run_in_threadpool
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from cds.errors import ServiceError
from cds.hooks.store import Store, StoreError

MEMORY_URL = "memory://"
PURGE_EVERY = 500  # claims between two purges of expired ids (database cache)


class ReplayCacheError(ServiceError):
    """The replay cache could not be consulted: the request cannot be authenticated (503)."""


class ReplayCache(Protocol):
    async def claim(self, key: str, expires_at: float, issued_at: float | None = None) -> bool:
        """Remember ``key`` until ``expires_at`` (epoch seconds); False if it was already remembered, or
        if ``issued_at`` is before the cache's epoch (it may have been seen and forgotten)."""
        ...

    async def start(self) -> None:
        """Establish the epoch (if the cache has one) when the service starts."""
        ...

    async def close(self) -> None: ...


class MemoryReplayCache:
    """In-process only: correct for one worker process, wrong for several (each has its own memory)."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self.epoch = float(int(time.time()))  # whole seconds, as a JWT's iat

    async def start(self) -> None:
        return None

    async def claim(self, key: str, expires_at: float, issued_at: float | None = None) -> bool:
        if issued_at is not None and issued_at < self.epoch:
            return False
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


# The epoch: the first whole second after this Redis process started (its TIME minus its uptime, plus
# one: a token issued in the second of a restart may be from before it), kept under KEYS[1] as
# "<run_id> <epoch>". A Redis that restarted, with or without persistence, has a new run_id: its epoch
# moves to its own start, so no token issued before the restart passes, whatever was lost with it.
_EPOCH_LUA = """
local info = redis.call('INFO', 'server')
local run = string.match(info, 'run_id:(%w+)')
local uptime = tonumber(string.match(info, 'uptime_in_seconds:(%d+)')) or 0
local held = redis.call('GET', KEYS[1])
if held then
  local held_run, held_epoch = string.match(held, '^(%w+) (%d+)$')
  if held_run == run then
    return tonumber(held_epoch)
  end
end
local epoch = tonumber(redis.call('TIME')[1]) - uptime + 1
redis.call('SET', KEYS[1], run .. ' ' .. epoch)
return epoch
"""
_START_SCRIPT = "local function epoch()" + _EPOCH_LUA + "end\nreturn epoch()"
# KEYS: the epoch key, the id. ARGV: expiry (epoch seconds), iat (-1: none).
# Returns 1: claimed, 0: a replay, -1: issued before the epoch.
_CLAIM_SCRIPT = "local function epoch()" + _EPOCH_LUA + """end
local iat = tonumber(ARGV[2])
if iat >= 0 and iat < epoch() then
  return -1
end
if redis.call('SET', KEYS[2], '1', 'NX', 'EXAT', ARGV[1]) then
  return 1
end
return 0
"""


class RedisReplayCache:
    """``SET key 1 NX EXAT expiry`` behind the epoch check, in one script: atomic across every worker
    and replica that share the Redis."""

    def __init__(self, url: str, prefix: str = "prrt-cds:jwt:") -> None:
        # A restarted Redis closes the pooled connections: the next command reconnects (retried, not a 503).
        self.redis = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0,
                                    retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=3),
                                    retry_on_error=[RedisConnectionError, RedisTimeoutError])
        self.prefix = prefix
        self.epoch_key = prefix + "epoch"  # no expiry: never evicted under a volatile-* policy
        self._epoch = self.redis.register_script(_START_SCRIPT)
        self._claim = self.redis.register_script(_CLAIM_SCRIPT)

    async def start(self) -> None:
        try:
            await self._epoch(keys=[self.epoch_key])
        except RedisError as exc:
            raise ReplayCacheError(f"redis unavailable ({type(exc).__name__})") from None

    async def claim(self, key: str, expires_at: float, issued_at: float | None = None) -> bool:
        iat = -1 if issued_at is None else max(int(issued_at), 0)
        try:
            outcome = await self._claim(keys=[self.epoch_key, self.prefix + key],
                                        args=[max(int(expires_at) + 1, 1), iat])
        except RedisError as exc:
            raise ReplayCacheError(f"redis unavailable ({type(exc).__name__})") from None
        return int(outcome) == 1

    async def close(self) -> None:
        await self.redis.aclose()


class DatabaseReplayCache:
    """A table of the shared database; expired ids are purged now and then."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._claims = 0

    async def start(self) -> None:
        return None

    def _claim(self, key: str, expires_at: float) -> bool:
        now = datetime.now(UTC)
        self._claims += 1
        if self._claims % PURGE_EVERY == 1:
            self.store.purge_jwts(now)
        return self.store.claim_jwt(key, datetime.fromtimestamp(expires_at, UTC), now)

    async def claim(self, key: str, expires_at: float, issued_at: float | None = None) -> bool:
        # Durable storage: what it remembers survives a restart, so there is no epoch to check.
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
