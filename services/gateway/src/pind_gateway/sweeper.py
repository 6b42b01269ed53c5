"""The job-timeout sweeper: an analysis with no progress report for
``PIND_JOB_TIMEOUT_S`` ends ``failed`` with a reason a person can read, and
every job sharing it with it. Each instance sweeps; locked rows are skipped,
so two instances never end the same analysis twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway import repository as repo
from pind_gateway.domain.progress import JobStatus, derive_job_status
from pind_gateway.limits import forget_old_windows
from pind_gateway.service import snapshots

log = structlog.get_logger(__name__)

BATCH = 100


def timeout_reason(timeout: timedelta, last_step: str) -> str:
    seconds = int(timeout.total_seconds())
    span = f"{seconds // 60} minute(s)" if seconds >= 120 else f"{seconds} second(s)"
    return (
        f"the analysis timed out: no progress for {span} (last step: {last_step}); "
        "submit the link again to retry"
    )


async def end_silent_jobs(session: AsyncSession, now: datetime, silence: timedelta) -> int:
    """End the analyses silent since ``now - silence``; how many were ended."""
    silent = await repo.silent_analyses(session, now - silence, BATCH)
    for lead in silent:
        stages = await snapshots(session, lead.id)
        last_step = derive_job_status(stages, lead.places_found).current_step
        status = JobStatus("failed", 100, timeout_reason(silence, last_step), "failed")
        await repo.save_analysis_status(session, lead.id, status, now)
        await repo.mark_timed_out(session, lead.id, now)
        log.warning("silent analysis timed out", analysis_id=str(lead.id), video_id=lead.video_id)
    return len(silent)


async def sweep_forever(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    timeout_s: float,
    interval_s: float,
) -> None:
    """Sweep every ``interval_s`` until cancelled; a failed sweep is retried next time."""
    timeout = timedelta(seconds=timeout_s)
    while True:
        try:
            now = datetime.now(UTC)
            async with sessionmaker() as session, session.begin():
                ended = await end_silent_jobs(session, now, timeout)
                await forget_old_windows(session, now)
            if ended == BATCH:
                continue  # more may be waiting
        except Exception:
            log.exception("job sweep failed; will try again")
        await asyncio.sleep(interval_s)
