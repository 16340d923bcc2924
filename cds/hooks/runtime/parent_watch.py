"""A worker of ``prrt-cds serve --workers N`` ends when its master dies, even by ``kill -9``.

Without a master nobody supervises the workers, and as long as they live they hold the listening
socket, so a restarted service fails with "Address already in use". Two mechanisms, either enough:
- Linux ``prctl(PR_SET_PDEATHSIG, SIGTERM)``: the kernel sends SIGTERM when the parent dies (uvicorn
  then shuts the worker down gracefully, finishing the requests in flight and their audit rows);
- a watchdog thread (every platform): when the parent pid changes it sends SIGTERM itself, and ends the
  process outright if it is still there ``GRACE_SECONDS`` later (a client that never finishes must not
  keep an orphan alive).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time

logger = logging.getLogger("cds.hooks")

SUPERVISOR_ENV = "PRRT_CDS_SUPERVISOR_PID"  # set by ``prrt-cds serve`` when it starts several workers
PR_SET_PDEATHSIG = 1  # linux/prctl.h
CHECK_SECONDS = 0.5
GRACE_SECONDS = 10.0


def _set_parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)) == 0
    return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(CHECK_SECONDS)
    logger.warning("the master process is gone: this worker shuts down")
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_SECONDS)
    os._exit(1)


def exit_with_supervisor() -> None:
    """In a worker whose parent is the master named by SUPERVISOR_ENV: arm both mechanisms."""
    supervisor = os.environ.get(SUPERVISOR_ENV, "")
    if not supervisor.isdigit() or int(supervisor) == os.getpid():
        return  # a single-process server (or the master itself): nothing to follow
    parent = int(supervisor)
    _set_parent_death_signal()
    if os.getppid() != parent:  # the master died before the signal was armed
        os.kill(os.getpid(), signal.SIGTERM)
        return
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()
