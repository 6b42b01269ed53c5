"""The timeout sweeper: an analysis with no progress report for
``PIND_JOB_TIMEOUT_S`` ends ``failed`` with a reason a person can read, and
every job sharing it with it; rate-limit windows that ended are forgotten.
Each instance sweeps; locked rows are skipped, so two instances never end the
same analysis twice.

Silence is counted only over time the gateway could hear (see
:mod:`pind_gateway.projection.horizon`): an analysis is ended when it was not
updated since ``T - timeout``, where ``T`` is the earliest of now, the
projection's horizon (everything published before ``T`` projected) and, less
the timeout, the oldest request still waiting in the outbox. And an outage
restarts the clock: a look that finds Kafka or the database unreachable
holds every timeout back until ``timeout`` after the first look that
succeeds again, since the workers' outboxes send what they held only then.

What it cannot know: an outage while no look was made (shorter than
``PIND_JOB_SWEEP_INTERVAL_S``), or one that ended before this process
started; for those only the projection's horizon holds.

A timed-out analysis is not buried: a later final report still completes it
(:func:`pind_gateway.projection.service.project_stages`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway.limits.service import forget_old_windows
from pind_gateway.projection.horizon import ProjectionHorizon, unsent_since
from pind_gateway.projection.service import end_silent_analyses
from pind_kit.faults import Outage, is_infrastructure_error

log = structlog.get_logger(__name__)

BATCH = 100


class Sweeper:
    """One instance's timeout sweeper."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        horizon: ProjectionHorizon,
        *,
        timeout_s: float,
        interval_s: float,
        requests_topic: str,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.horizon = horizon
        self.requests_topic = requests_topic
        """The physical topic of this deployment's requests, whose outbox rows
        hold timeouts back (:func:`~pind_gateway.projection.horizon.unsent_since`)."""
        self.timeout = timedelta(seconds=timeout_s)
        self.interval_s = interval_s
        self.heard_since: datetime | None = None
        """When the last outage this process saw ended (None: it saw none)."""
        self._away = False
        self._outage = Outage("job-sweeper", initial_s=interval_s, max_s=interval_s)
        self._held_back: str | None = None

    async def run(self) -> None:
        """Look every ``interval_s`` until cancelled."""
        try:
            while True:
                try:
                    ended = await self.look()
                except Exception as exc:
                    if not is_infrastructure_error(exc):
                        log.exception("job sweep failed; will try again")
                    ended = 0
                if ended < BATCH:  # else more may be waiting
                    await asyncio.sleep(self.interval_s)
        finally:
            await self.horizon.close()

    async def look(self, now: datetime | None = None) -> int:
        """End the analyses known to be silent as of ``now``; how many were.

        Raises what the broker or the database raised (noted as an outage
        when it is theirs)."""
        now = now or datetime.now(UTC)
        try:
            heard_up_to = await self.horizon.heard_up_to(now)
            async with self.sessionmaker() as session, session.begin():
                if self._away:
                    self.heard_since = now  # the clock restarts where the outage ended
                cutoff = self.silent_before(
                    now, heard_up_to, await unsent_since(session, now, self.requests_topic)
                )
                ended = 0
                if cutoff is not None:
                    ended = await end_silent_analyses(session, now, cutoff, self.timeout, BATCH)
                await forget_old_windows(session, now)
        except Exception as exc:
            if is_infrastructure_error(exc):
                self._away = True
                self._outage.failed(exc)
            raise
        self._away = False
        self._outage.recovered()
        return ended

    def silent_before(
        self, now: datetime, heard_up_to: datetime | None, unsent: datetime | None
    ) -> datetime | None:
        """Analyses not updated since the time returned are silent (None: no
        analysis can be called silent now)."""
        held_back = None
        if heard_up_to is None:
            held_back = "the projection has not caught up with any look yet"
        elif self.heard_since is not None and now - self.heard_since < self.timeout:
            held_back = "an outage ended less than the timeout ago"
        if held_back != self._held_back:
            self._held_back = held_back
            if held_back is not None:
                log.info("job timeouts held back", why=held_back)
            else:
                log.info("job timeouts resumed")
        if heard_up_to is None or held_back is not None:
            return None
        cutoff = min(now, heard_up_to) - self.timeout
        return cutoff if unsent is None else min(cutoff, unsent)
