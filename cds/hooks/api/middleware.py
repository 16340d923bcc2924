"""The last guard: an exception nothing else handled becomes a bare 500, logged by its type only.

Starlette would log the traceback, whose message may embed a payload (patient data, a token); this
middleware answers first and logs only the exception's type. A client that goes away while its body
is being read is no error of the service: INFO, and nothing is answered.
"""

from __future__ import annotations

import json
import logging

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cds.hooks.errors import outcome

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
        except ClientDisconnect:
            logger.info("the client went away during %s", scope.get("method"))
            return
        except Exception as exc:  # the guard of last resort: everything, by design
            logger.error("unexpected %s while answering %s", type(exc).__name__, scope.get("method"))
            if started:
                return
            body = json.dumps(outcome(500, "internal error")).encode()
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
