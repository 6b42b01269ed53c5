"""Live job updates: Server-Sent Events and WebSockets. Every stream shows
each change of the job, whichever gateway instance projected it, and ends
once the job ends."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncGenerator
from typing import Any

import structlog
from fastapi import APIRouter, Request, WebSocket, status
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from pind_gateway.core.deps import GatewayContext, client_address
from pind_gateway.core.schemas import JobOut, error_responses
from pind_gateway.core.views import JobView
from pind_gateway.live.follow import (
    CLOSE_EXPIRED,
    CLOSE_INVALID,
    LiveStreams,
    SocketClosed,
    accept,
    auth_token,
    close,
    closing_on_error,
    live_of,
    open_slot,
    stream_and_listen,
    verify,
)
from pind_gateway.live.hub import Slot, client_key, is_final

log = structlog.get_logger(__name__)

router = APIRouter(tags=["jobs"])

_SSE_DESCRIPTION = """\
A `text/event-stream` of the job. Each change is an `event: job` whose `data`
is the job resource (as `GET /api/v1/jobs/{job_id}` answers it); the first
event is the job as it is now. After a final state (`succeeded`, `partial`,
`failed`) comes `event: end` and the stream closes. Comments (`: keep-alive`)
are sent while nothing changes. Rapid changes may be coalesced; the latest
state is always delivered, whichever gateway instance projected it.

A client (an address; IPv6: its /64) holds at most `PIND_STREAM_MAX_PER_CLIENT`
streams at once, a server process `PIND_STREAM_MAX_TOTAL`: past either, 429
with `Retry-After`. A stream lasts at most `PIND_STREAM_MAX_S`, then closes
without `event: end` (EventSource reconnects)."""


def _sse(event: str, data: str, event_id: int | None = None) -> str:
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines.append(f"event: {event}")
    lines.extend(f"data: {line}" for line in data.splitlines() or [""])
    return "\n".join(lines) + "\n\n"


@router.get(
    "/api/v1/jobs/{job_id}/events",
    summary="Follow a job as Server-Sent Events",
    description=_SSE_DESCRIPTION,
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The stream of the job's states",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **error_responses(404, 422, 429),
    },
)
async def job_events(job_id: uuid.UUID, request: Request) -> Any:
    live = live_of(request.app)
    slot = live.slots.acquire(client_key(client_address(request)))  # else 429
    try:
        first = await live.hub.current(job_id)  # 404 before the stream starts
    except BaseException:
        slot.release()
        raise
    return _SlotStream(
        slot,
        _event_stream(live, first),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


class _SlotStream(StreamingResponse):
    """A stream that gives its slot back however it ends (the client leaving
    cancels it), and closes its follower then (it leaves the job's feed)."""

    def __init__(self, slot: Slot, content: AsyncGenerator[str, None], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._slot = slot
        self._content = content

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._slot.release()
            await self._content.aclose()


async def _event_stream(live: LiveStreams, first: JobView) -> AsyncGenerator[str, None]:
    sent = 0
    async with contextlib.aclosing(live.follow(first)) as views:
        async for view in views:
            if view is None:
                yield ": keep-alive\n\n"
                continue
            sent += 1
            yield _sse("job", JobOut.of(view).model_dump_json(), sent)
            if is_final(view):
                yield _sse("end", json.dumps({"state": view.job.state}), sent + 1)
                return
    # The stream's time is up (stream_max_s): EventSource clients reconnect.
    yield ": stream time limit reached; reconnect to keep following\n\n"


@router.websocket("/api/v1/jobs/{job_id}/ws", name="job_ws")
async def job_ws(websocket: WebSocket, job_id: uuid.UUID) -> None:
    """Messages: `{"type": "job", "job": <job resource>}` on each change,
    `{"type": "ping"}` while idle; closed 1000 once the job ended, 4404 if
    unknown, 4408 when the stream's time is up, 1013 when too many streams are
    open, 1009 after a message over the size limit. A signed-in client (its
    streams then count against its account, not its address) offers the
    subprotocols `bearer, <token>` or sends `{"type": "auth", "token": ...}`;
    a token in the URL is refused (4400)."""
    context: GatewayContext = websocket.app.state.gateway
    live = live_of(websocket.app)
    max_bytes = context.settings.ws_max_message_bytes
    async with closing_on_error(websocket):
        token = await accept(websocket)
        user_id = await verify(context, token)
        slot = open_slot(live, websocket, user_id)
        try:
            first = await live.hub.current(job_id)
            ended: list[bool] = []

            async def send() -> None:
                async with contextlib.aclosing(live.follow(first)) as views:
                    async for view in views:
                        if view is None:
                            await websocket.send_json({"type": "ping"})
                            continue
                        job = JobOut.of(view).model_dump(mode="json")
                        await websocket.send_text(json.dumps({"type": "job", "job": job}))
                        if is_final(view):
                            ended.append(True)

            async def on_message(text: str) -> None:
                token = auth_token(text)
                if token is None:
                    raise SocketClosed(
                        CLOSE_INVALID, 'this stream takes only {"type": "auth", "token": ...}'
                    )
                slot.move(client_key(None, await context.verifier.verify(token)))

            if await stream_and_listen(websocket, send(), on_message, max_bytes):
                if ended:
                    await close(websocket, status.WS_1000_NORMAL_CLOSURE)
                else:
                    await close(websocket, CLOSE_EXPIRED, "stream time limit reached; reconnect")
            else:
                log.info("job stream closed by the client", job_id=str(job_id))
        finally:
            slot.release()
