"""The timeout sweeper: an analysis with no progress report for
``PIND_JOB_TIMEOUT_S`` ends ``failed`` with a reason a person can read, and
every job sharing it with it; rate-limit windows that ended are forgotten.
Each instance sweeps; locked rows are skipped, so two instances never end the
same analysis twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway.limits.service import forget_old_windows
from pind_gateway.projection.service import end_silent_analyses

log = structlog.get_logger(__name__)

BATCH = 100


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
                ended = await end_silent_analyses(session, now, timeout, BATCH)
                await forget_old_windows(session, now)
            if ended == BATCH:
                continue  # more may be waiting
        except Exception:
            log.exception("job sweep failed; will try again")
        await asyncio.sleep(interval_s)
