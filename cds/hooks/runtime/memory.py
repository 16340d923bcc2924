"""Memory back near its baseline after a big request.

A hook call with a big prefetch allocates hundreds of megabytes (parsed JSON, facts, the engine's
session); freed, most of it stayed with the process (glibc keeps freed heap pages, and reference
cycles wait for a full collection): RSS went 133 -> 521 MB after three 50,000-Observation calls and
never came down. After answering a request whose body (as received) is at least ``TRIM_AFTER_BYTES``, this middleware
runs a full garbage collection and glibc's ``malloc_trim(0)`` (where there is glibc), in a thread,
after the answer is sent: measured on 10,000-Observation calls, 112 MB at rest, 258 MB at the peak,
190 MB afterwards without it, 138 MB with it (benchmarks/README.md, bench_soak.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
from functools import cache
from typing import Any

from fastapi.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("cds.hooks")
TRIM_AFTER_BYTES = 1_000_000


@cache
def _malloc_trim() -> Any:  # a ctypes function, or None
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def release_memory() -> None:
    """Collect reference cycles, then hand freed heap pages back to the OS (glibc only)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class MemoryTrimMiddleware:
    def __init__(self, app: ASGIApp, threshold_bytes: int = TRIM_AFTER_BYTES) -> None:
        self.app = app
        self.threshold = threshold_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
            return message

        try:
            await self.app(scope, counted, send)
        finally:
            if received >= self.threshold:
                await run_in_threadpool(release_memory)
