"""Following a job: its view now and after every change, until it ends.

Woken by :class:`~pind_gateway.watch.AnalysisWatch` (this instance's projection
and the NOTIFY listener for every instance's); re-reads the job on every wake
and on each idle heartbeat, and yields only when what it shows changed. Rapid
changes may be coalesced: the latest state is always delivered.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway import service
from pind_gateway.domain.progress import FINAL_JOB_STATES
from pind_gateway.service import JobView
from pind_gateway.watch import AnalysisWatch

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
                view = await service.get_job(session, job_id)
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
