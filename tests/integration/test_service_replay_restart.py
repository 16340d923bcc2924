"""Acceptance: a token replayed after the Redis replay cache restarted (without persistence, so every
id it held is gone) is refused, because it was issued before the cache's new epoch.

A real ``redis-server`` is started by the test on a free loopback port; skipped, with the reason,
only where the binary is absent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import hooks_support as hs
import httpx
import pytest
import redis

ES = hs.signers()["ES384"]
REDIS_SERVER = shutil.which("redis-server")


class RedisProcess:
    """``redis-server`` without persistence (no RDB snapshot, no AOF) on a loopback port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = hs.free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=hs._die_with_parent)  # gone with the test run, even killed
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        assert hs.wait_for(lambda: self._answers(client), timeout=10), "redis-server did not start"

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1)


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


@pytest.mark.skipif(REDIS_SERVER is None, reason="no redis-server binary on this machine")
def test_a_replay_after_a_replay_cache_restart_is_refused(folder: Path) -> None:
    cache = RedisProcess(folder)
    cache.start()
    (folder / "jwks.json").write_text(json.dumps(hs.jwks(ES)))
    service = hs.start_service(folder, {"as_of": hs.AS_OF, "replay_cache_url": f"redis://127.0.0.1:{cache.port}/0"},
                               [{"iss": ES.iss, "jwks_file": "jwks.json"}])
    try:
        url = service.url + "/cds-services"
        # The cache's epoch is the first whole second after redis-server started: a token issued in the
        # same second as the start is (rightly) refused, so the first token waits as the last one does.
        time.sleep(2.1)
        token = ES.token(url)
        assert httpx.get(url, headers=hs.bearer(token), timeout=30).status_code == 200
        assert httpx.get(url, headers=hs.bearer(token), timeout=30).status_code == 401  # replay, cache up
        cache.stop()
        cache.start()
        assert cache.client().dbsize() == 0  # the restarted cache remembers no id at all
        replay = httpx.get(url, headers=hs.bearer(token), timeout=30)
        assert replay.status_code == 401
        assert replay.json()["detail"] == "the token was not accepted"
        # Tokens issued after the restart (from the first whole second after it) are accepted again.
        time.sleep(2.1)
        assert httpx.get(url, headers=hs.bearer(ES.token(url)), timeout=30).status_code == 200
    finally:
        service.stop()
        cache.stop()
