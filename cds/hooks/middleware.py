"""The last guard: an exception nothing else handled becomes a bare 500, logged by its type only.

Starlette would log the traceback, whose message may embed a payload (patient data, a token); this
middleware answers first and logs only the exception's type.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("cds.hooks")


class GuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # the guard of last resort: everything, by design
            logger.error("unexpected %s while answering %s", type(exc).__name__, scope.get("method"))
            if started:
                return
            body = b'{"detail":"internal error"}'
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
