"""A limit on request body size, enforced before the body is read: 413 at once
when Content-Length says so, or as soon as a streamed body passes the limit.
Each service says how its 413 reads (``answer``), in its own error shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Answer = Callable[[int], tuple[int, dict[str, Any]]]
"""``max_bytes`` → the status and JSON body of the refusal."""


class _Overflow(Exception):
    pass


class BodySizeLimit:
    """Pure ASGI middleware; ``app.add_middleware(BodySizeLimit, max_bytes=..., answer=...)``."""

    def __init__(self, app: ASGIApp, max_bytes: int, answer: Answer) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0  # h11/httptools refuse it first; count what arrives
                if declared > self.max_bytes:
                    await self._reject(send)
                    return

        received = 0
        overflowed = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, overflowed
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    overflowed = True
                    raise _Overflow
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if overflowed:
                return  # whatever the app answers to the cut body is replaced by the 413
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not overflowed:
                raise
            # Whatever the cut body made the app raise, the answer is the 413.
        if overflowed and not response_started:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        status, content = self.answer(self.max_bytes)
        body = json.dumps(content).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
