"""Live job updates: Server-Sent Events and WebSockets. Every stream shows
each change of the job, whichever gateway instance projected it, and ends
once the job ends."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from fastapi.responses import StreamingResponse

from pind_gateway.core.deps import ContextDep, GatewayContext, ReaderDep
from pind_gateway.core.errors import GatewayError
from pind_gateway.core.schemas import JobOut, error_responses
from pind_gateway.core.views import JobView
from pind_gateway.jobs import service as jobs
from pind_gateway.live.follow import follow, refuse

log = structlog.get_logger(__name__)

router = APIRouter(tags=["jobs"])

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
    first = await jobs.get_job(session, job_id)  # 404 before the stream starts
    await session.close()
    return StreamingResponse(
        _event_stream(context, first),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _event_stream(context: GatewayContext, first: JobView) -> AsyncIterator[str]:
    sent = 0
    async for view in follow(context, first):
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
            first = await jobs.get_job(session, job_id)
    except GatewayError as exc:
        await refuse(websocket, exc)
        return
    try:
        async for view in follow(context, first):
            if view is None:
                await websocket.send_json({"type": "ping"})
            else:
                await websocket.send_text(
                    json.dumps({"type": "job", "job": JobOut.of(view).model_dump(mode="json")})
                )
        await websocket.close(status.WS_1000_NORMAL_CLOSURE)
    except WebSocketDisconnect:
        log.info("job stream closed by the client", job_id=str(job_id))
