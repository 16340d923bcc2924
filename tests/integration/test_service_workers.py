"""Several uvicorn workers behind one port share what they must agree on: the JWT ids already seen
(Redis, or the database) and the store (PostgreSQL here). Skipped, with the reason, when the
service they need does not answer (CI has both)."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import hooks_support as hs
import httpx
import pytest
from sqlalchemy import create_engine, text

ES = hs.signers()["ES384"]
POSTGRES = hs.POSTGRES_URL
REDIS = "redis://127.0.0.1:6379/0"



def _redis_reason() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis not reachable at 127.0.0.1:6379 ({type(exc).__name__})"
    return None


def _start(folder: Path, **top: object) -> hs.LiveService:
    (folder / "jwks.json").write_text(json.dumps(hs.jwks(ES)))
    return hs.start_service(folder, {"as_of": hs.AS_OF, **top}, [{"iss": ES.iss, "jwks_file": "jwks.json"}],
                            workers=2)


def _same_token_many_times(service: hs.LiveService, times: int = 12) -> list[int]:
    path = "/cds-services/prrt-toxicity"
    pid = hs.distinct("workers")
    body = hs.hook_request("patient-view", pid, prefetch=hs.prefetch_for(hs.scenario("withhold", pid)[0]))
    token = ES.token(service.url + path)

    def once(_: int) -> int:  # a new connection each time: the kernel hands them to either worker
        return httpx.post(service.url + path, json=body, headers=hs.bearer(token), timeout=30).status_code

    with ThreadPoolExecutor(times) as pool:
        return sorted(pool.map(once, range(times)))


@pytest.fixture
def folder() -> Iterator[Path]:
    made = Path(tempfile.mkdtemp(prefix="prrt-cds-workers-"))
    yield made
    shutil.rmtree(made, ignore_errors=True)


def test_two_workers_share_the_redis_replay_cache(folder: Path) -> None:
    reason = _redis_reason()
    if reason:
        pytest.skip(reason)
    service = _start(folder, replay_cache_url=REDIS)
    try:
        workers = hs.answering_workers(service, 2)  # both workers ready before the token is replayed
        statuses = _same_token_many_times(service)
        log = service.log_text()
    finally:
        service.stop()
    assert len(workers) == 2 and service.process.pid not in workers
    assert statuses == [200] + [401] * 11
    assert "replay cache RedisReplayCache" in log


def test_two_workers_on_postgresql_share_the_store_and_the_replay_table(folder: Path, postgres_schema: str) -> None:
    schema = postgres_schema
    admin = create_engine(POSTGRES)
    url = hs.postgres_url(schema)
    service = _start(folder, database_url=url)
    try:
        assert len(hs.answering_workers(service, 2)) == 2
        statuses = _same_token_many_times(service)
        path = "/cds-services/prrt-toxicity"
        pid = hs.distinct("pg")
        body = hs.hook_request("patient-view", pid, prefetch=hs.prefetch_for(hs.scenario("reduce", pid)[0]))
        response = httpx.post(service.url + path, json=body, headers=hs.bearer(ES.token(service.url + path)),
                              timeout=30)
        with admin.connect() as connection:
            rows = connection.execute(text(
                f"select card_uuid, patient, action from {schema}.prrt_cds_card_audit where hook_instance = :h"),
                {"h": body["hookInstance"]}).fetchall()
            seen = connection.execute(text(f"select count(*) from {schema}.prrt_cds_jwt_seen")).scalar_one()
    finally:
        service.stop()
        admin.dispose()
    assert statuses == [200] + [401] * 11
    assert [(r[0], r[1], r[2]) for r in rows] == [(response.json()["cards"][0]["uuid"], f"Patient/{pid}", "reduce")]
    assert seen == 2
