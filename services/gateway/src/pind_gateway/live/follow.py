"""Following a job: its view now and after every change, until it ends; and
refusing a WebSocket with the error's code.

Woken by :class:`~pind_gateway.core.watch.AnalysisWatch` (this instance's projection
and the NOTIFY listener for every instance's); re-reads the job on every wake
and on each idle heartbeat, and yields only when what it shows changed. Rapid
changes may be coalesced: the latest state is always delivered.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import WebSocket
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.errors import GatewayError
from pind_gateway.core.views import JobView
from pind_gateway.core.watch import AnalysisWatch
from pind_gateway.domain.progress import FINAL_JOB_STATES
from pind_gateway.jobs import service as jobs

CLOSE_INVALID = 4422  # WebSocket close codes: 4000 + the HTTP status of the error

Fingerprint = tuple[datetime, datetime | None, datetime | None, str, int]


def fingerprint(view: JobView) -> Fingerprint:
    job, video = view.job, view.video
    return (job.updated_at, video.metadata_at, video.places_at, job.state, job.progress)


def is_final(view: JobView) -> bool:
    return view.job.state in FINAL_JOB_STATES


async def follow_job(
    sessionmaker: async_sessionmaker[AsyncSession],
    watch: AnalysisWatch,
    first: JobView,
    *,
    heartbeat_s: float,
    max_s: float,
) -> AsyncIterator[JobView | None]:
    """Yield ``first``, then the job's view after each change (``None`` after an
    idle ``heartbeat_s``, so the caller can keep the connection alive); ends
    after a final state or ``max_s``."""
    job_id: uuid.UUID = first.job.id
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_s
    yield first
    if is_final(first):
        return
    last = fingerprint(first)
    with watch.subscribe(first.job.analysis_id) as changed:
        while loop.time() < deadline:
            changed.clear()  # before reading, so a change during the read is not lost
            async with sessionmaker() as session:
                view = await jobs.get_job(session, job_id)
            if fingerprint(view) != last:
                last = fingerprint(view)
                yield view
                if is_final(view):
                    return
            try:
                timeout = min(heartbeat_s, max(0.0, deadline - loop.time()))
                await asyncio.wait_for(changed.wait(), timeout=timeout)
            except TimeoutError:
                yield None


def follow(context: GatewayContext, first: JobView) -> AsyncIterator[JobView | None]:
    """:func:`follow_job` with the heartbeat and limit the app is configured with."""
    return follow_job(
        context.reader,
        context.watch,
        first,
        heartbeat_s=context.settings.stream_heartbeat_s,
        max_s=context.settings.stream_max_s,
    )


async def refuse(websocket: WebSocket, exc: GatewayError) -> None:
    await refuse_text(websocket, exc.code, exc.message, 4000 + exc.status_code)


async def refuse_text(
    websocket: WebSocket, code: str, detail: str, close_code: int = CLOSE_INVALID
) -> None:
    await websocket.send_json({"type": "error", "detail": detail, "code": code})
    await websocket.close(close_code)
