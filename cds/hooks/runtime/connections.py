"""uvicorn's HTTP protocol with the limits an idle, slow or trickling client must not defeat.

uvicorn (httptools protocol) closes a kept-alive connection that stays idle (``timeout_keep_alive``), but
a connection that never sends a byte, or stops half-way through its headers, or trickles its body, is
kept for ever: enough of them use up the worker's file descriptors, and then no valid call and no
``/healthz`` is answered (1,100 sockets did it). This subclass adds, per connection:

- a header deadline: the request's headers must be complete ``header_timeout_seconds`` after the
  connection opened, or (on a kept-alive connection) after the next request's first byte;
- a body deadline: the whole body must have arrived ``body_timeout_seconds`` after the headers (a total,
  not a gap between bytes, so that one byte a second does not keep the connection);
- a cap, ``max_connections``: a new connection beyond it first closes the oldest connection that has
  no request in progress (nothing sent yet, headers still incomplete, or idle between requests: closing
  them loses no work, as a reverse proxy drops its idle connections when it runs short); if every
  connection has a request in progress, the new one is answered a bare 503 and closed.
A connection closed for a deadline gets no answer (as nginx does for ``client_header_timeout``); the
application sees a body cut short as the client going away.

The limits come from the service settings of the worker (``PRRT_CDS_CONFIG`` and ``PRRT_CDS_*``), read
once per process. ``prrt-cds serve`` selects this protocol (``http=`` of uvicorn, by import path).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from cds.hooks.settings import CONFIG_ENV, load_settings

logger = logging.getLogger("cds.hooks")
PROTOCOL = "cds.hooks.connections:GuardedHttpProtocol"  # uvicorn's ``http`` setting
_REFUSAL = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: 19\r\nconnection: close\r\n\r\nService Unavailable")


@dataclass(frozen=True)
class ConnectionLimits:
    max_connections: int
    header_timeout: float
    body_timeout: float


@cache
def connection_limits() -> ConnectionLimits:
    """The limits of this worker process, from its service settings."""
    settings = load_settings(os.environ.get(CONFIG_ENV))
    return ConnectionLimits(settings.max_connections, settings.header_timeout_seconds, settings.body_timeout_seconds)


class _Notices:
    """At most one log line per kind every 10 s: a flood of connections must not become a flood of lines."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._count: dict[str, int] = {}

    def note(self, kind: str, text: str) -> None:
        self._count[kind] = self._count.get(kind, 0) + 1
        now = time.monotonic()
        if now - self._last.get(kind, -1e9) >= 10.0:
            logger.warning("%s (%d since the last notice)", text, self._count[kind])
            self._last[kind] = now
            self._count[kind] = 0


NOTICES = _Notices()


class GuardedHttpProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with a header deadline, a body deadline and a connection cap (module docstring)."""

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = connection_limits()
        self.opened_at = 0.0
        self._deadline: asyncio.TimerHandle | None = None

    # --- deadlines --------------------------------------------------------------------------------
    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired, what)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, what: str) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            NOTICES.note(what, f"closed a connection: {what}")
            self.transport.close()

    def in_progress(self) -> bool:
        """A request whose headers are complete and whose answer is not (closing it would lose work)."""
        return bool(self.pipeline) or (self.cycle is not None and not self.cycle.response_complete)

    # --- uvicorn's callbacks ----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.opened_at = self.loop.time()
        self._arm(self.limits.header_timeout, "headers not complete in time")
        self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # the first byte of a next request on a kept-alive connection
            self._arm(self.limits.header_timeout, "headers not complete in time")

    def on_headers_complete(self) -> None:
        self._arm(self.limits.body_timeout, "body not complete in time")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    # --- the cap ----------------------------------------------------------------------------------
    def _make_room(self) -> None:
        if len(self.connections) <= self.limits.max_connections:
            return
        idle = [c for c in self.connections
                if c is not self and isinstance(c, GuardedHttpProtocol) and not c.in_progress()]
        if idle:
            oldest = min(idle, key=lambda c: c.opened_at)
            NOTICES.note("cap", f"max_connections ({self.limits.max_connections}) reached: closed the oldest "
                                "connection with no request in progress")
            oldest._disarm()
            oldest.transport.close()
            self.connections.discard(oldest)  # at once: its connection_lost comes on the next loop turn
            return
        NOTICES.note("refused", f"max_connections ({self.limits.max_connections}) reached, every connection busy: "
                                "refused a new one (503)")
        self._disarm()
        self.transport.write(_REFUSAL)
        self.transport.close()
        self.connections.discard(self)
