"""Following a job over a live stream, shared by the SSE and WebSocket
endpoints and the legacy ``/ws/process``.

- :class:`LiveStreams`: this process's :class:`~pind_gateway.live.hub.JobHub`
  (one read per change, fanned out to every follower) and
  :class:`~pind_gateway.live.hub.StreamSlots` (the caps), made once per app.
- WebSocket plumbing: the bearer token offered in the ``Sec-WebSocket-Protocol``
  header (``bearer, <token>``) or in an ``{"type": "auth", "token": ...}``
  message, never in the URL (proxies log URLs: ``?token=`` is refused with
  4400); messages over ``ws_max_message_bytes`` close the socket with 1009;
  too many streams close it with 1013 (try again later); other errors send
  ``{"type": "error", "detail", "code"}`` and close with 4000 + the HTTP status.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.errors import GatewayError
from pind_gateway.core.views import JobView
from pind_gateway.core.watch import AnalysisWatch
from pind_gateway.live.hub import JobHub, StreamSlots, TooManyStreams, client_key
from pind_gateway.live.hub import Slot as Slot  # for the legacy socket
from pind_gateway.settings import GatewaySettings

CLOSE_INVALID = 4422  # WebSocket close codes: 4000 + the HTTP status of the error
CLOSE_TOKEN_IN_URL = 4400
CLOSE_EXPIRED = 4408
CLOSE_TOO_BIG = 1009
CLOSE_TRY_AGAIN = 1013
BEARER_SUBPROTOCOL = "bearer"
MAX_REASON_BYTES = 123  # what a close frame holds


@dataclass(slots=True)
class LiveStreams:
    settings: GatewaySettings
    hub: JobHub
    slots: StreamSlots
    max_s: float
    """How long a stream lasts at most (``stream_max_s``)."""

    @classmethod
    def create(
        cls,
        settings: GatewaySettings,
        reader: async_sessionmaker[AsyncSession],
        watch: AnalysisWatch,
    ) -> LiveStreams:
        hub = JobHub(reader, watch, refresh_s=settings.stream_heartbeat_s)
        slots = StreamSlots(
            per_client=settings.stream_max_per_client, total=settings.stream_max_total
        )
        return cls(settings, hub, slots, settings.stream_max_s)

    def follow(self, first: JobView) -> AsyncGenerator[JobView | None, None]:
        """``first``, then each change (``None`` when idle for a heartbeat), until
        the job ends or the stream has lasted :attr:`max_s`."""
        return self.hub.follow(
            first, heartbeat_s=self.settings.stream_heartbeat_s, max_s=self.max_s
        )


def live_of(app: FastAPI) -> LiveStreams:
    """The app's live streams, made at the first stream (no await in between:
    one per app)."""
    live: LiveStreams | None = getattr(app.state, "live", None)
    if live is None:
        context: GatewayContext = app.state.gateway
        live = LiveStreams.create(context.settings, context.reader, context.watch)
        app.state.live = live
    return live


class SocketClosed(Exception):
    """Close the WebSocket with ``code`` and a readable ``reason``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


async def accept(websocket: WebSocket) -> str | None:
    """Accept the socket; the bearer token it offered as a subprotocol, if any.
    A token in the URL is refused (:class:`SocketClosed` 4400)."""
    offered: list[str] = list(websocket.scope.get("subprotocols") or [])
    token = None
    if len(offered) >= 2 and offered[0].strip().lower() == BEARER_SUBPROTOCOL:
        token = offered[1].strip()
        await websocket.accept(subprotocol=offered[0])
    else:
        await websocket.accept()
    if "token" in websocket.query_params:
        raise SocketClosed(
            CLOSE_TOKEN_IN_URL,
            'no tokens in the URL: send {"type": "auth", "token": ...} first '
            'or the subprotocols "bearer, <token>"',
        )
    return token


def open_slot(live: LiveStreams, websocket: WebSocket, user_id: uuid.UUID | None) -> Slot:
    address = websocket.client.host if websocket.client else None
    return live.slots.acquire(client_key(address, user_id))


def user_key(user_id: uuid.UUID) -> str:
    """The key a signed-in user's streams count against."""
    return client_key(None, user_id)


async def receive_text(websocket: WebSocket, max_bytes: int) -> str | None:
    """The next message as text (``None``: the client left); one over
    ``max_bytes`` closes the socket (:class:`SocketClosed` 1009)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    text: str | None = message.get("text")
    data: bytes = text.encode() if text is not None else (message.get("bytes") or b"")
    if len(data) > max_bytes:
        raise SocketClosed(CLOSE_TOO_BIG, f"message too big: at most {max_bytes} bytes")
    try:
        return data.decode()
    except UnicodeDecodeError as exc:
        raise SocketClosed(CLOSE_INVALID, "messages are UTF-8 JSON") from exc


def auth_token(text: str) -> str | None:
    """The token of an ``{"type": "auth", "token": ...}`` message, else ``None``."""
    try:
        message = json.loads(text)
    except ValueError:
        return None
    if isinstance(message, dict) and message.get("type") == "auth":
        token = message.get("token")
        if not isinstance(token, str) or not token:
            raise SocketClosed(CLOSE_INVALID, 'send {"type": "auth", "token": "<access token>"}')
        return token
    return None


async def stream_and_listen(
    websocket: WebSocket,
    send: Coroutine[Any, Any, None],
    on_message: Callable[[str], Awaitable[None]],
    max_bytes: int,
) -> bool:
    """Run ``send`` while reading what the client sends (each message to
    ``on_message``); True when ``send`` finished, False when the client left
    first. A message's :class:`SocketClosed` (or other error) ends both."""

    async def listen() -> None:
        while (text := await receive_text(websocket, max_bytes)) is not None:
            await on_message(text)

    sender = asyncio.create_task(send)
    listener = asyncio.create_task(listen())
    done, pending = await asyncio.wait({sender, listener}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await task
    for task in done:
        task.result()  # raises what ended it
    return sender in done


async def close(websocket: WebSocket, code: int, reason: str = "") -> None:
    encoded = reason.encode()[:MAX_REASON_BYTES]
    with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
        await websocket.close(code, encoded.decode(errors="ignore"))


@contextlib.asynccontextmanager
async def closing_on_error(websocket: WebSocket) -> AsyncIterator[None]:
    """Close the socket with the code of what went wrong (see the module docstring)."""
    try:
        yield
    except WebSocketDisconnect:
        return
    except SocketClosed as exc:
        await close(websocket, exc.code, exc.reason)
    except TooManyStreams as exc:
        await close(websocket, CLOSE_TRY_AGAIN, exc.message)
    except GatewayError as exc:
        await refuse(websocket, exc)


async def refuse(websocket: WebSocket, exc: GatewayError) -> None:
    await refuse_text(websocket, exc.code, exc.message, 4000 + exc.status_code)


async def refuse_text(
    websocket: WebSocket, code: str, detail: str, close_code: int = CLOSE_INVALID
) -> None:
    with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
        await websocket.send_json({"type": "error", "detail": detail, "code": code})
    await close(websocket, close_code, detail)


async def verify(context: GatewayContext, token: str | None) -> uuid.UUID | None:
    """The user of ``token`` (:class:`InvalidToken` if not valid); None without one."""
    return await context.verifier.verify(token) if token else None
