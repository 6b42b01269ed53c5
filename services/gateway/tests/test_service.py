"""Service-level guarantees that the HTTP API cannot show directly."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from pind_contracts import USER, Envelope, UserChanged
from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.models import Job, UserHistory
from pind_gateway.domain.requester import Requester
from pind_gateway.jobs import service as jobs
from pind_gateway.projection import service as projection
from pind_gateway.videos import service
from pind_kit.db import OUTBOX
from pind_kit.testing import physical_topic

STALE = timedelta(minutes=30)


async def test_job_stages_and_outbox_row_are_one_transaction(
    events: Any, context: GatewayContext
) -> None:
    video_id = events.video_id()
    async with context.sessionmaker() as session:
        transaction = await session.begin()
        submission = await service.submit_video(
            session,
            url=f"https://youtu.be/{video_id}",
            refresh=False,
            requester=Requester(),
            stale_after=STALE,
        )
        [row] = (await session.execute(select(OUTBOX).where(OUTBOX.c.key == video_id))).all()
        assert row.topic == physical_topic("pind.video.requested.v1")
        assert row.headers["ce_jobid"] == str(submission.job.id)
        assert row.headers["ce_type"] == "pind.video.requested"
        view = await jobs.get_job(session, submission.job.id)
        assert {s.status for s in view.stages.values()} == {"pending"}
        await transaction.rollback()

    async with context.sessionmaker() as session:
        assert await session.get(Job, submission.job.id) is None
        left = await session.scalar(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.key == video_id)
        )
        assert left == 0


async def test_a_stale_analysis_is_ended_and_replaced(events: Any, context: GatewayContext) -> None:
    video_id = events.video_id()
    async with context.sessionmaker() as session, session.begin():
        first = await service.submit_video(
            session,
            url=f"https://youtu.be/{video_id}",
            refresh=False,
            requester=Requester(),
            stale_after=STALE,
        )
    async with context.sessionmaker() as session, session.begin():
        second = await service.submit_video(
            session,
            url=f"https://youtu.be/{video_id}",
            refresh=False,
            requester=Requester(),
            stale_after=timedelta(0),
        )
    assert second.origin == "new"
    async with context.sessionmaker() as session:
        old = await jobs.get_job(session, first.job.id)
    assert old.job.state == "failed"
    assert "stopped reporting progress" in (old.job.error or "")


async def test_an_analysis_no_stage_reported_on_is_ended_and_the_next_request_starts_anew(
    events: Any, context: GatewayContext
) -> None:
    video_id = events.video_id()

    async def submit() -> service.Submission:
        async with context.sessionmaker() as session, session.begin():
            return await service.submit_video(
                session,
                url=f"https://youtu.be/{video_id}",
                refresh=True,
                requester=Requester(),
                stale_after=STALE,
            )

    first = await submit()
    async with context.sessionmaker() as session, session.begin():
        ended = await projection.end_unstarted_analyses(session, [video_id], "the fuzz run is over")
    assert ended == [first.job.id]
    second = await submit()
    assert second.origin == "new"  # not joined to the dead one
    async with context.sessionmaker() as session:
        old = await jobs.get_job(session, first.job.id)
    assert (old.job.state, old.job.error) == ("failed", "the fuzz run is over")


async def test_waiting_ends_at_the_limit_for_a_job_that_does_not_finish(
    events: Any, context: GatewayContext
) -> None:
    async with context.sessionmaker() as session, session.begin():
        submission = await service.submit_video(
            session,
            url=f"https://youtu.be/{events.video_id()}",
            refresh=False,
            requester=Requester(),
            stale_after=STALE,
        )
    loop = asyncio.get_running_loop()
    started = loop.time()
    ended = await jobs.wait_until_finished(
        context.sessionmaker, context.watch, submission.job, timeout_s=0.4, db_check_s=0.1
    )
    assert ended is False
    assert 0.4 <= loop.time() - started < 3


async def test_a_deleted_user_loses_their_history(
    events: Any, context: GatewayContext, workers: Any
) -> None:
    user_id = uuid.uuid4()
    async with context.sessionmaker() as session, session.begin():
        await service.submit_video(
            session,
            url=f"https://youtu.be/{events.video_id()}",
            refresh=False,
            requester=Requester(user_id),
            stale_after=STALE,
        )

    async def history() -> int:
        async with context.sessionmaker() as session:
            count = await session.scalar(
                select(func.count()).select_from(UserHistory).where(UserHistory.user_id == user_id)
            )
        return int(count or 0)

    assert await history() == 1
    deleted = UserChanged(kind="deleted", user_id=user_id, at=datetime.now(UTC))
    envelope = Envelope(type=USER.event_type, producer="auth", subject=str(user_id))
    with context.watch.subscribe(user_id) as changed:
        await workers.send(USER, deleted, envelope)
        await asyncio.wait_for(changed.wait(), timeout=30)
    assert await history() == 0
