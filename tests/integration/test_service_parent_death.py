"""Acceptance: after ``kill -9`` of the master of ``prrt-cds serve --workers 2`` its workers exit (they
would otherwise keep serving unsupervised and hold the port), and the port can be bound again."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path

import hooks_support as hs
import httpx
import pytest

ES = hs.signers()["ES384"]
BOUND_SECONDS = 20.0  # SIGTERM at once (parent-death signal), the watchdog's hard exit after 10 s


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found |= {int(child) for child in text}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its parent (init) has yet to reap it


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to find the worker processes")
def test_workers_exit_when_the_master_is_killed(tmp_path: Path) -> None:
    (tmp_path / "jwks.json").write_text(json.dumps(hs.jwks(ES)))
    service = hs.start_service(tmp_path, {"as_of": hs.AS_OF}, [{"iss": ES.iss, "jwks_file": "jwks.json"}],
                               workers=2)
    try:
        port = int(service.url.rsplit(":", 1)[1])
        assert hs.wait_for(lambda: len(_children(service.process.pid)) >= 2, timeout=30)
        workers = _children(service.process.pid)
        assert httpx.get(service.url + "/healthz", timeout=10).status_code == 200
        os.kill(service.process.pid, signal.SIGKILL)
        service.process.wait(timeout=10)
        started = time.monotonic()
        assert hs.wait_for(lambda: not any(_alive(pid) for pid in workers), timeout=BOUND_SECONDS), \
            f"workers still running {BOUND_SECONDS:.0f} s after the master was killed"
        print(f"workers gone {time.monotonic() - started:.2f} s after kill -9 of the master")
        assert hs.wait_for(lambda: _bindable(port), timeout=5), "the port is still held"
    finally:
        for pid in _children(service.process.pid) if _alive(service.process.pid) else set():
            os.kill(pid, signal.SIGKILL)
        service.stop()
