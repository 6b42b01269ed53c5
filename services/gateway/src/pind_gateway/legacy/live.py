"""The first backend's ``/ws/process``: submit a link over a WebSocket and
hear its status until the result (legacy-clients.md).

Neither legacy client (web map client, browser extension) uses this socket,
so nothing needs the token in the URL: ``?token=`` is refused (4400), as on
``/api/v1/jobs/{id}/ws``; the token comes in the first message (``{"url",
"token"}``, or ``{"type": "auth", "token"}`` before ``{"url"}``) or the
subprotocols ``bearer, <token>``. Streams are capped per client and in total,
messages by size, as every live stream is (``live/follow.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from datetime import timedelta

import structlog
from fastapi import APIRouter, WebSocket, status
from pydantic import ValidationError

from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.errors import GatewayError
from pind_gateway.core.views import JobView
from pind_gateway.domain.requester import Requester
from pind_gateway.jobs import service as jobs
from pind_gateway.legacy.schemas import LegacyProcess, job_status, process_result
from pind_gateway.limits.deps import quotas_of
from pind_gateway.limits.service import charge_submission
from pind_gateway.live.follow import (
    Slot,
    SocketClosed,
    accept,
    auth_token,
    close,
    closing_on_error,
    live_of,
    open_slot,
    receive_text,
    stream_and_listen,
    user_key,
    verify,
)
from pind_gateway.videos import service as videos

log = structlog.get_logger(__name__)

router = APIRouter(tags=["legacy"])

FIRST_MESSAGE_WAIT_S = 30.0
"""How long the socket waits for the link before closing (4408)."""


class _ProcessMessage(LegacyProcess):
    token: str | None = None


async def _first_message(websocket: WebSocket, max_bytes: int) -> str | None:
    try:
        async with asyncio.timeout(FIRST_MESSAGE_WAIT_S):
            return await receive_text(websocket, max_bytes)
    except TimeoutError:
        why = f'send {{"url": ...}} within {FIRST_MESSAGE_WAIT_S:.0f} s'
        raise SocketClosed(4408, why) from None


@router.websocket("/ws/process", name="legacy_ws_process")
async def legacy_ws_process(websocket: WebSocket) -> None:
    """Send `{"url": ..., "token"?: ...}` (the token may come before it as
    `{"type": "auth", "token": ...}`, or as the subprotocols `bearer, <token>`;
    never in the URL); receive `{"type": "status", job_id, status, progress,
    current_step}` on each change, then `{"type": "result", ...}` (the
    `/api/v1/youtube/process` answer); closed 1000. Refusals: 4400 (token in
    the URL), 4401 (invalid token), 4422 (not a link), 4429 (quota), 1013 (too
    many streams), 1009 (message too big)."""
    context: GatewayContext = websocket.app.state.gateway
    live = live_of(websocket.app)
    max_bytes = context.settings.ws_max_message_bytes
    async with closing_on_error(websocket):
        token = await accept(websocket)
        user_id = await verify(context, token)
        slot = open_slot(live, websocket, user_id)
        try:
            text = await _first_message(websocket, max_bytes)
            if text is None:
                return
            if (sent := auth_token(text)) is not None:
                user_id = await context.verifier.verify(sent)
                slot.move(user_key(user_id))
                text = await _first_message(websocket, max_bytes)
                if text is None:
                    return
            first = await _submit(websocket, context, text, user_id, slot)
            last: list[JobView] = [first]

            async def send() -> None:
                async with contextlib.aclosing(live.follow(first)) as views:
                    async for view in views:
                        if view is None:
                            await websocket.send_json({"type": "ping"})
                            continue
                        last[0] = view
                        body = job_status(view.job).model_dump(mode="json")
                        await websocket.send_text(json.dumps({"type": "status", **body}))
                result = process_result(last[0]).model_dump(mode="json")
                await websocket.send_text(json.dumps({"type": "result", **result}))

            async def ignore(_text: str) -> None:
                """The first backend read nothing after the link; neither does this."""

            if await stream_and_listen(websocket, send(), ignore, max_bytes):
                await close(websocket, status.WS_1000_NORMAL_CLOSURE)
            else:
                log.info("legacy process stream closed by the client")
        finally:
            slot.release()


class _InvalidMessage(GatewayError):
    status_code = 422
    code = "invalid_request"


async def _submit(
    websocket: WebSocket,
    context: GatewayContext,
    text: str,
    user_id: uuid.UUID | None,
    slot: Slot,
) -> JobView:
    """Submit the link of ``text`` for whoever sent it; the job as it is now."""
    try:
        message = _ProcessMessage.model_validate_json(text)
    except ValidationError as exc:
        raise _InvalidMessage(f'send {{"url": ...}}: {exc}') from exc
    if message.token:
        user_id = await context.verifier.verify(message.token)
        slot.move(user_key(user_id))
    requester = Requester(user_id)
    address = websocket.client.host if websocket.client else None
    await charge_submission(context.sessionmaker, quotas_of(websocket.app), requester, address)
    try:
        async with context.sessionmaker() as session, session.begin():
            submission = await videos.submit_video(
                session,
                url=message.url,
                refresh=False,
                requester=requester,
                stale_after=timedelta(seconds=context.settings.analysis_stale_after_s),
            )
    except ValueError as exc:
        raise _InvalidMessage(f'send {{"url": ...}}: {exc}') from exc
    async with context.reader() as session:
        return await jobs.get_job(session, submission.job.id)
