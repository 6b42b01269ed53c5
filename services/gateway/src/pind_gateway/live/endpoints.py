"""Live job updates: Server-Sent Events and WebSockets (and the first
backend's ``/ws/process``). Every stream shows each change of the job,
whichever gateway instance projected it, and ends once the job ends."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from pind_gateway import service
from pind_gateway.deps import ContextDep, GatewayContext, ReaderDep
from pind_gateway.errors import GatewayError
from pind_gateway.jobs.schemas import JobOut
from pind_gateway.legacy.schemas import LegacyProcess, job_status, process_result
from pind_gateway.limits import charge_submission
from pind_gateway.live.follow import follow_job
from pind_gateway.schemas import error_responses
from pind_gateway.service import JobView, Requester

log = structlog.get_logger(__name__)

router = APIRouter(tags=["jobs"])
legacy_router = APIRouter(tags=["legacy"])

CLOSE_INVALID = 4422  # WebSocket close codes: 4000 + the HTTP status of the error

_SSE_DESCRIPTION = """\
A `text/event-stream` of the job. Each change is an `event: job` whose `data`
is the job resource (as `GET /api/v1/jobs/{job_id}` answers it); the first
event is the job as it is now. After a final state (`succeeded`, `partial`,
`failed`) comes `event: end` and the stream closes. Comments (`: keep-alive`)
are sent while nothing changes. Rapid changes may be coalesced; the latest
state is always delivered, whichever gateway instance projected it."""


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
        **error_responses(404, 422),
    },
)
async def job_events(job_id: uuid.UUID, session: ReaderDep, context: ContextDep) -> Any:
    first = await service.get_job(session, job_id)  # 404 before the stream starts
    await session.close()
    return StreamingResponse(
        _event_stream(context, first),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _event_stream(context: GatewayContext, first: JobView) -> AsyncIterator[str]:
    settings = context.settings
    sent = 0
    async for view in follow_job(
        context.reader,
        context.watch,
        first,
        heartbeat_s=settings.stream_heartbeat_s,
        max_s=settings.stream_max_s,
    ):
        if view is None:
            yield ": keep-alive\n\n"
            continue
        sent += 1
        yield _sse("job", JobOut.of(view).model_dump_json(), sent)
        if view.job.state in ("succeeded", "partial", "failed"):
            yield _sse("end", json.dumps({"state": view.job.state}), sent + 1)


@router.websocket("/api/v1/jobs/{job_id}/ws", name="job_ws")
async def job_ws(websocket: WebSocket, job_id: uuid.UUID) -> None:
    """Messages: `{"type": "job", "job": <job resource>}` on each change,
    `{"type": "ping"}` while idle; closed (1000) once the job ended, 4404 if unknown."""
    context: GatewayContext = websocket.app.state.gateway
    await websocket.accept()
    try:
        async with context.reader() as session:
            first = await service.get_job(session, job_id)
    except GatewayError as exc:
        await _refuse(websocket, exc)
        return
    try:
        async for view in _follow(context, first):
            if view is None:
                await websocket.send_json({"type": "ping"})
            else:
                await websocket.send_text(
                    json.dumps({"type": "job", "job": JobOut.of(view).model_dump(mode="json")})
                )
        await websocket.close(status.WS_1000_NORMAL_CLOSURE)
    except WebSocketDisconnect:
        log.info("job stream closed by the client", job_id=str(job_id))


class _ProcessMessage(LegacyProcess):
    token: str | None = None


@legacy_router.websocket("/ws/process", name="legacy_ws_process")
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
        await charge_submission(context.sessionmaker, context.quotas, requester, address)
        async with context.sessionmaker() as session, session.begin():
            submission = await service.submit_video(
                session,
                url=message.url,
                refresh=False,
                requester=requester,
                stale_after=timedelta(seconds=context.settings.analysis_stale_after_s),
            )
        async with context.reader() as session:
            first = await service.get_job(session, submission.job.id)
    except (ValidationError, ValueError) as exc:
        await _refuse_text(websocket, "invalid_request", f'send {{"url": ...}}: {exc}')
        return
    except GatewayError as exc:
        await _refuse(websocket, exc)
        return
    except WebSocketDisconnect:
        return
    try:
        last: JobView = first
        async for view in _follow(context, first):
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


def _follow(context: GatewayContext, first: JobView) -> AsyncIterator[JobView | None]:
    return follow_job(
        context.reader,
        context.watch,
        first,
        heartbeat_s=context.settings.stream_heartbeat_s,
        max_s=context.settings.stream_max_s,
    )


async def _refuse(websocket: WebSocket, exc: GatewayError) -> None:
    await _refuse_text(websocket, exc.code, exc.message, 4000 + exc.status_code)


async def _refuse_text(
    websocket: WebSocket, code: str, detail: str, close_code: int = CLOSE_INVALID
) -> None:
    await websocket.send_json({"type": "error", "detail": detail, "code": code})
    await websocket.close(close_code)
