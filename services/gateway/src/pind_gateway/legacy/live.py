"""The first backend's ``/ws/process``: submit a link over a WebSocket and
hear its status until the result (legacy-clients.md)."""

from __future__ import annotations

import json
from datetime import timedelta

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from pydantic import ValidationError

from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.errors import GatewayError
from pind_gateway.core.views import JobView
from pind_gateway.domain.requester import Requester
from pind_gateway.jobs import service as jobs
from pind_gateway.legacy.schemas import LegacyProcess, job_status, process_result
from pind_gateway.limits.deps import quotas_of
from pind_gateway.limits.service import charge_submission
from pind_gateway.live.follow import follow, refuse, refuse_text
from pind_gateway.videos import service as videos

log = structlog.get_logger(__name__)

router = APIRouter(tags=["legacy"])


class _ProcessMessage(LegacyProcess):
    token: str | None = None


@router.websocket("/ws/process", name="legacy_ws_process")
async def legacy_ws_process(websocket: WebSocket) -> None:
    """Send `{"url": ..., "token"?: ...}` (or pass `?token=`); receive
    `{"type": "status", job_id, status, progress, current_step}` on each change,
    then `{"type": "result", ...}` (the `/api/v1/youtube/process` answer); closed 1000."""
    context: GatewayContext = websocket.app.state.gateway
    await websocket.accept()
    try:
        message = _ProcessMessage.model_validate(await websocket.receive_json())
        token = message.token or websocket.query_params.get("token")
        requester = Requester(await context.verifier.verify(token)) if token else Requester()
        address = websocket.client.host if websocket.client else None
        await charge_submission(context.sessionmaker, quotas_of(websocket.app), requester, address)
        async with context.sessionmaker() as session, session.begin():
            submission = await videos.submit_video(
                session,
                url=message.url,
                refresh=False,
                requester=requester,
                stale_after=timedelta(seconds=context.settings.analysis_stale_after_s),
            )
        async with context.reader() as session:
            first = await jobs.get_job(session, submission.job.id)
    except (ValidationError, ValueError) as exc:
        await refuse_text(websocket, "invalid_request", f'send {{"url": ...}}: {exc}')
        return
    except GatewayError as exc:
        await refuse(websocket, exc)
        return
    except WebSocketDisconnect:
        return
    try:
        last: JobView = first
        async for view in follow(context, first):
            if view is None:
                await websocket.send_json({"type": "ping"})
                continue
            last = view
            await websocket.send_text(
                json.dumps({"type": "status", **job_status(view.job).model_dump(mode="json")})
            )
        result = process_result(last).model_dump(mode="json")
        await websocket.send_text(json.dumps({"type": "result", **result}))
        await websocket.close(status.WS_1000_NORMAL_CLOSURE)
    except WebSocketDisconnect:
        log.info("legacy process stream closed by the client")
