"""Reading jobs: a job with everything its answer shows, and waiting until
one ends. Callers own the transaction; nothing here writes."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway.core.errors import JobNotFound
from pind_gateway.core.models import Job
from pind_gateway.core.views import JobView, snapshot_of
from pind_gateway.core.watch import AnalysisWatch
from pind_gateway.domain.progress import FINAL_JOB_STATES, STAGES, StageSnapshot
from pind_gateway.jobs import repository as repo


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> JobView:
    found = await repo.job_in_full(session, job_id)
    if found is None:
        raise JobNotFound(job_id)
    job, video, stage_rows, places = found
    rows = {row.stage: row for row in stage_rows}
    stages = {name: snapshot_of(rows[name]) if name in rows else StageSnapshot() for name in STAGES}
    times = {name: rows[name].updated_at if name in rows else job.created_at for name in STAGES}
    return JobView(job, video, stages, times, places)


async def wait_until_finished(
    sessionmaker: async_sessionmaker[AsyncSession],
    watch: AnalysisWatch,
    job: Job,
    *,
    timeout_s: float,
    db_check_s: float,
) -> bool:
    """Hold until ``job`` ended or ``timeout_s`` passed; True if it ended.

    Woken at once by this process's projection; re-reads the database every
    ``db_check_s`` for results another gateway instance projected.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    with watch.subscribe(job.analysis_id) as changed:
        while True:
            changed.clear()  # before reading, so a notify after the read is not lost
            async with sessionmaker() as session:
                state = await repo.job_state(session, job.id)
            if state is None or state in FINAL_JOB_STATES:
                return state is not None
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=min(db_check_s, remaining))
