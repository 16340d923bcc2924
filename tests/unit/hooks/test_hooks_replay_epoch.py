"""A replay cache that may have forgotten refuses tokens issued before its own start (its epoch).

Redis (127.0.0.1:6379) is used for real when it answers, with keys of this test's own; otherwise
that test is skipped with the reason. The restart itself is tested on a real ``redis-server`` in
tests/integration/test_service_replay_restart.py.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis

from cds.hooks.security.replay import MemoryReplayCache, RedisReplayCache
from cds.hooks.settings import AuthSettings

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_tokens_live_five_minutes_at_most_by_default() -> None:
    assert AuthSettings().max_token_lifetime_seconds == 300


def test_the_memory_cache_refuses_tokens_issued_before_it_started() -> None:
    cache = MemoryReplayCache()
    expires = time.time() + 60

    async def run() -> list[bool]:
        return [await cache.claim("a", expires, cache.epoch - 1), await cache.claim("b", expires, cache.epoch),
                await cache.claim("b", expires, cache.epoch)]

    assert asyncio.run(run()) == [False, True, False]


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(exc).__name__})")
    return client


def test_the_redis_cache_keeps_its_epoch_with_the_run_id_of_redis() -> None:
    direct = _redis_or_skip()
    prefix = f"test-epoch-{uuid.uuid4().hex}:"
    run_id = direct.info("server")["run_id"]
    now = int(time.time())

    async def run() -> list[bool]:
        cache = RedisReplayCache(REDIS_URL, prefix=prefix)
        try:
            await cache.start()
            fresh = await cache.claim("a", now + 60, now)
            direct.set(prefix + "epoch", f"{run_id} {now + 100}")  # as if this Redis had started later
            before = await cache.claim("b", now + 60, now)
            after = await cache.claim("c", now + 160, now + 100)
            direct.set(prefix + "epoch", f"another0run0id {now + 100}")  # an epoch of a Redis since restarted
            renewed = await cache.claim("d", now + 60, now)
            return [fresh, before, after, renewed]
        finally:
            await cache.close()

    try:
        # the last: a different run_id means a restart, and the epoch moves to this Redis' own start
        assert asyncio.run(run()) == [True, False, True, True]
        held_run, held_epoch = direct.get(prefix + "epoch").decode().split()
        assert held_run == run_id
        assert int(held_epoch) <= now - int(direct.info("server")["uptime_in_seconds"]) + 2
    finally:
        direct.delete(*direct.keys(prefix + "*"))
