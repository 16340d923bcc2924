"""The durable store on SQLite and on PostgreSQL, and the JWT replay caches on the database and Redis.

PostgreSQL (127.0.0.1:5432, database ``test``) and Redis (127.0.0.1:6379) are used for real when they
answer, as in CI; otherwise those tests are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import hooks_support as hs
import pytest
from sqlalchemy import create_engine, event

from cds.hooks.api.models import Feedback
from cds.hooks.security.replay import DatabaseReplayCache, MemoryReplayCache, RedisReplayCache, replay_cache
from cds.hooks.store import CardRecord, Client, Store, UnknownCard, engine_url, redacted

POSTGRES_URL = hs.POSTGRES_URL
REDIS_URL = os.environ.get("PRRT_CDS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")



def redis_reachable() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis not reachable at {REDIS_URL} ({type(exc).__name__})"
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        made = Store.from_url(f"sqlite:///{tmp_path / 'store.db'}")
        made.create_schema()
        yield made
        made.dispose()
        return
    with hs.postgres_schema() as schema:  # a schema of its own: runs in parallel do not meet
        engine = create_engine(POSTGRES_URL, pool_pre_ping=True)

        @event.listens_for(engine, "connect")
        def _search_path(dbapi_connection: object, _: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute(f"SET search_path TO {schema}")
            cursor.close()

        made = Store(engine)
        made.create_schema()
        try:
            yield made
        finally:
            made.dispose()


def record(card: str, hook_instance: str = "h-1", service_id: str = "prrt-toxicity") -> CardRecord:
    return CardRecord(card_uuid=card, hook_instance=hook_instance, service_id=service_id, hook="patient-view",
                      patient="Patient/p1", ruleset_version="ctcae-5.0+x", issued_at=datetime.now(UTC),
                      indicator="critical", action="withhold", cycle=3)


def test_postgresql_urls_use_psycopg() -> None:
    assert engine_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert redacted("postgresql://u:secret@h/db") == "postgresql+psycopg://u:***@h/db"


def test_every_card_is_audited(store: Store) -> None:
    store.record_cards([record("c-1"), record("c-2")])
    rows = store.cards("h-1")
    assert {r["card_uuid"] for r in rows} == {"c-1", "c-2"}
    assert rows[0]["patient"] == "Patient/p1" and rows[0]["action"] == "withhold"


def test_feedback_is_stored_once_however_often_it_is_sent(store: Store) -> None:
    item = Feedback.model_validate({"card": "c-1", "outcome": "overridden", "outcomeTimestamp": "2024-01-01T10:00:00Z",
                                    "overrideReason": {"reason": {"system": "s", "code": "c", "display": "d"},
                                                       "userComment": "checked"}})
    later = item.model_copy(update={"outcomeTimestamp": datetime(2024, 1, 2, tzinfo=UTC)})
    now = datetime.now(UTC)
    store.record_cards([record("c-1")])
    assert store.record_feedback("prrt-toxicity", [item, item], now) == (1, 1)
    assert store.record_feedback("prrt-toxicity", [item, later], now) == (1, 1)
    rows = store.feedback("c-1")
    assert len(rows) == 2
    assert (rows[0]["override_code"], rows[0]["user_comment"]) == ("c", "checked")


def test_feedback_on_a_card_is_taken_from_the_client_it_was_issued_to_only(store: Store) -> None:
    """A card issued to one client (verified ``iss`` and ``tenant``) is unknown to every other: its
    feedback is refused and nothing of the batch is stored. A card recorded without a client
    (verification off, or an earlier release) takes feedback from any caller, as before."""
    ehr = Client(issuer="https://ehr.example.test/a", tenant="hospital-1")
    store.record_cards([replace(record("c-a"), issuer=ehr.issuer, tenant=ehr.tenant), record("c-open")])
    now = datetime.now(UTC)

    def item(card: str) -> Feedback:
        return Feedback.model_validate({"card": card, "outcome": "overridden",
                                        "outcomeTimestamp": "2024-01-01T10:00:00Z"})

    for other in (Client(), Client(issuer=ehr.issuer), Client(issuer=ehr.issuer, tenant="hospital-2"),
                  Client(issuer="https://ehr.example.test/b", tenant="hospital-1")):
        with pytest.raises(UnknownCard):
            store.record_feedback("prrt-toxicity", [item("c-open"), item("c-a")], now, other)
    assert store.feedback() == []
    assert store.record_feedback("prrt-toxicity", [item("c-a"), item("c-open")], now, ehr) == (2, 0)
    assert store.record_feedback("prrt-toxicity", [item("c-open")], now, Client(issuer="x")) == (0, 1)
    [row] = [r for r in store.cards() if r["card_uuid"] == "c-a"]
    assert (row["issuer"], row["tenant"]) == (ehr.issuer, ehr.tenant)


def test_feedback_sent_at_once_by_several_workers_is_stored_once(store: Store) -> None:
    item = Feedback.model_validate({"card": "c-9", "outcome": "accepted", "acceptedSuggestions": [{"id": "s"}],
                                    "outcomeTimestamp": "2024-01-01T10:00:00+02:00"})
    store.record_cards([record("c-9", service_id="prrt-dose-check")])
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: store.record_feedback("prrt-dose-check", [item], datetime.now(UTC)),
                                range(16)))
    assert sum(stored for stored, _ in results) == 1
    assert len(store.feedback("c-9")) == 1


def test_jwt_ids_are_claimed_once_until_they_expire(store: Store) -> None:
    now = datetime.now(UTC)
    assert store.claim_jwt("k-1", now + timedelta(minutes=5), now)
    assert not store.claim_jwt("k-1", now + timedelta(minutes=5), now)
    later = now + timedelta(minutes=6)
    assert store.claim_jwt("k-1", later + timedelta(minutes=5), later)  # the first claim has expired
    store.purge_jwts(later + timedelta(minutes=10))
    assert store.claim_jwt("k-1", later + timedelta(minutes=20), later + timedelta(minutes=11))


def test_database_replay_cache_agrees_across_threads(store: Store) -> None:
    caches = [DatabaseReplayCache(store) for _ in range(4)]  # as four workers would
    expires = time.time() + 300

    def claim(index: int) -> bool:
        return asyncio.run(caches[index % 4].claim("same-jti", expires))

    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(claim, range(16))) == [False] * 15 + [True]


def test_redis_replay_cache_is_shared_by_every_client() -> None:
    reason = redis_reachable()
    if reason:
        pytest.skip(reason)
    key = f"test-{uuid.uuid4()}"

    async def run() -> list[bool]:
        first, second = RedisReplayCache(REDIS_URL), RedisReplayCache(REDIS_URL)  # two workers
        try:
            expires = time.time() + 60
            return [await first.claim(key, expires), await second.claim(key, expires), await first.claim(key, expires)]
        finally:
            await first.close()
            await second.close()

    assert asyncio.run(run()) == [True, False, False]


def test_memory_replay_cache_is_for_one_process() -> None:
    cache = MemoryReplayCache()

    async def run() -> list[bool]:
        return [await cache.claim("a", time.time() + 60), await cache.claim("a", time.time() + 60),
                await cache.claim("b", time.time() - 1), await cache.claim("b", time.time() + 60)]

    assert asyncio.run(run()) == [True, False, True, True]


def test_replay_cache_is_chosen_by_url(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 's.db'}")
    assert isinstance(replay_cache(None, store), DatabaseReplayCache)
    assert isinstance(replay_cache("memory://", store), MemoryReplayCache)
    assert isinstance(replay_cache("redis://127.0.0.1:6379/0", store), RedisReplayCache)
    with pytest.raises(ValueError):
        replay_cache("http://cache", store)
