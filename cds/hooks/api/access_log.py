"""The access log: method, path without its query, status and time, one INFO line per request.

uvicorn's own access log writes the full request line, so a token or a patient id in a query string
would reach the log; ``prrt-cds serve`` turns it off and this middleware writes instead. The path is
the raw (still percent-encoded) one, so no line break or control character of a request can reach the
log, and it is cut at ``MAX_PATH`` characters.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("cds.hooks.access")
MAX_PATH = 200


def logged_path(scope: Scope) -> str:
    """The request path as sent, without the query string, printable ASCII only, at most MAX_PATH."""
    raw = scope.get("raw_path")
    path = raw.split(b"?", 1)[0].decode("ascii", "backslashreplace") if isinstance(raw, bytes) else str(
        scope.get("path", ""))
    path = "".join(c if c.isprintable() and c.isascii() else "?" for c in path)
    return path if len(path) <= MAX_PATH else path[:MAX_PATH] + "..."


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def tracked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        finally:
            client = scope.get("client")
            where = f"{client[0]}:{client[1]}" if client else "-"
            logger.info('%s - "%s %s HTTP/%s" %s %.0f ms', where, scope.get("method"), logged_path(scope),
                        scope.get("http_version", "1.1"), status if status is not None else "-",
                        (time.perf_counter() - started) * 1000)
