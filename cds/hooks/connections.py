"""``cds.hooks.connections:GuardedHttpProtocol``: the stable name uvicorn is given (cds.hooks.runtime.connections)."""

from __future__ import annotations

from cds.hooks.runtime.connections import GuardedHttpProtocol

__all__ = ["GuardedHttpProtocol"]
