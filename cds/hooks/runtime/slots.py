"""Evaluations off the event loop, a bounded number at once.

The evaluation (mapping, the rule engine, cards) is CPU-bound: run on the event loop it stopped every
other request of the worker, ``/healthz`` included, for as long as a big prefetch took (seconds). Here
each runs in a thread of a small pool; the event loop keeps answering between the engine's calls (the
durable_rules core holds the interpreter during each call: at ``max_resources`` = 10,000 for about
0.25 s at most, measured in benchmarks/bench_soak.py's notes; beyond it seconds, which is why the
resource cap exists).

A caller that stops waiting (its deadline passed) cannot stop its thread; the slot is given back only
when the thread ends, so that abandoned evaluations cannot pile up beyond ``size``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")


class EvaluationSlots:
    def __init__(self, size: int) -> None:
        self.size = size
        self._free = asyncio.Semaphore(size)
        self._pool = ThreadPoolExecutor(size, thread_name_prefix="prrt-cds-evaluation")

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a thread once a slot is free; cancelling the wait leaves it running."""
        await self._free.acquire()
        try:
            future = asyncio.get_running_loop().run_in_executor(self._pool, partial(function, *args))
        except BaseException:
            self._free.release()
            raise
        future.add_done_callback(self._finished)
        return await asyncio.shield(future)

    def _finished(self, future: asyncio.Future[Any]) -> None:
        self._free.release()
        if not future.cancelled():
            future.exception()  # an abandoned evaluation's failure is not reported later as "never retrieved"

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
