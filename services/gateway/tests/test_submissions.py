"""Submissions written together: the set-based ``submit_videos`` and the
batcher that groups concurrent requests into one transaction."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from structlog.testing import capture_logs

from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.errors import RateLimited
from pind_gateway.core.models import Analysis, Job, RateLimit, UserHistory
from pind_gateway.domain.requester import Requester
from pind_gateway.limits.service import Quotas
from pind_gateway.videos import service
from pind_gateway.videos.batcher import SubmissionBatcher
from pind_gateway.videos.service import SubmissionRequest
from pind_kit.db import OUTBOX
from pind_kit.testing import physical_topic

STALE = timedelta(minutes=30)


@asynccontextmanager
async def batcher(context: GatewayContext, quotas: Quotas) -> AsyncIterator[SubmissionBatcher]:
    running = SubmissionBatcher(
        context.sessionmaker,
        context.reader,
        quotas,
        stale_after=STALE,
        max_size=64,
        max_wait_s=0.002,
        concurrency=2,
    )
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def generous() -> Quotas:
    return Quotas(window_s=3600, guest=1_000, user=1_000)


async def requested_rows(session: Any, video_id: str) -> list[Any]:
    return list((await session.execute(select(OUTBOX).where(OUTBOX.c.key == video_id))).all())


async def test_duplicates_of_a_new_video_start_one_analysis(
    events: Any, context: GatewayContext
) -> None:
    video_id = events.video_id()
    user_id = uuid.uuid4()
    requests = [
        SubmissionRequest(video_id),
        SubmissionRequest(video_id, requester=Requester(user_id)),
        SubmissionRequest(video_id, refresh=True),
    ]
    async with context.sessionmaker() as session:
        transaction = await session.begin()
        first, second, third = await service.submit_videos(session, requests, stale_after=STALE)
        [row] = await requested_rows(session, video_id)
        history = (
            await session.execute(
                select(UserHistory.video_id, UserHistory.job_id).where(
                    UserHistory.user_id == user_id
                )
            )
        ).all()
        await transaction.rollback()

    assert [s.origin for s in (first, second, third)] == ["new", "joined", "joined"]
    assert {s.job.analysis_id for s in (first, second, third)} == {first.job.id}
    assert row.topic == physical_topic("pind.video.requested.v1")
    assert row.headers["ce_jobid"] == str(first.job.id)
    assert [tuple(h) for h in history] == [(video_id, second.job.id)]


async def test_a_batch_mixes_cached_joined_and_new(events: Any, context: GatewayContext) -> None:
    analysed, flying, fresh = events.video_id(), events.video_id(), events.video_id()
    async with context.sessionmaker() as session, session.begin():
        done, running = await service.submit_videos(
            session, [SubmissionRequest(analysed), SubmissionRequest(flying)], stale_after=STALE
        )
        await session.execute(
            update(Analysis)
            .where(Analysis.id == done.job.analysis_id)
            .values(state="succeeded", progress=100, finished_at=datetime.now(UTC))
        )

    requests = [
        SubmissionRequest(analysed),
        SubmissionRequest(flying),
        SubmissionRequest(fresh),
        SubmissionRequest(analysed, refresh=True),
        SubmissionRequest(analysed),
    ]
    async with context.sessionmaker() as session, session.begin():
        answers = await service.submit_videos(session, requests, stale_after=STALE)
        requested = {v: len(await requested_rows(session, v)) for v in (analysed, flying, fresh)}

    assert [a.origin for a in answers] == ["cached", "joined", "new", "new", "joined"]
    cached, joined, new, refreshed, late = answers
    assert (cached.job.state, cached.job.analysis_id) == ("succeeded", done.job.id)
    assert cached.job.finished_at is not None
    assert joined.job.analysis_id == running.job.id
    assert new.job.analysis_id == new.job.id
    assert late.job.analysis_id == refreshed.job.id  # after the refresh, the video is in flight
    # Each new analysis has one request event; the earlier ones were relayed already
    # or are still waiting, so count at least this batch's.
    assert requested[fresh] == 1


async def test_a_failing_submission_does_not_fail_the_rest_of_its_batch(
    events: Any, context: GatewayContext
) -> None:
    good, bad, other = events.video_id(), events.video_id(), events.video_id()
    trigger = f"refuse_{uuid.uuid4().hex[:8]}"
    async with context.sessionmaker() as session, session.begin():
        await session.execute(
            text(
                f"CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
            )
        )
        await session.execute(
            text(
                f"CREATE TRIGGER {trigger} BEFORE INSERT ON jobs FOR EACH ROW "
                f"WHEN (NEW.video_id = '{bad}') EXECUTE FUNCTION {trigger}()"
            )
        )
    try:
        async with batcher(context, generous()) as submissions:
            with capture_logs() as logs:
                answers = await asyncio.gather(
                    *(
                        submissions.submit(SubmissionRequest(video_id), "192.0.2.10")
                        for video_id in (good, bad, other)
                    ),
                    return_exceptions=True,
                )
    finally:
        async with context.sessionmaker() as session, session.begin():
            await session.execute(text(f"DROP TRIGGER {trigger} ON jobs"))
            await session.execute(text(f"DROP FUNCTION {trigger}()"))

    assert any("one at a time" in entry["event"] for entry in logs)  # it was one batch
    first, failed, third = answers
    assert isinstance(failed, DBAPIError)
    assert "refused by the test" in str(failed)
    assert isinstance(first, service.Submission)
    assert isinstance(third, service.Submission)
    assert (first.origin, third.origin) == ("new", "new")
    async with context.sessionmaker() as session:
        made = Counter(
            (
                await session.scalars(
                    select(Job.video_id).where(Job.video_id.in_([good, bad, other]))
                )
            ).all()
        )
    assert made == {good: 1, other: 1}


async def test_the_rate_limit_is_exact_across_a_batch(events: Any, context: GatewayContext) -> None:
    address = f"rate-{uuid.uuid4().hex}"
    quotas = Quotas(window_s=3600, guest=3, user=10)
    videos = [events.video_id() for _ in range(5)]
    async with batcher(context, quotas) as submissions:
        answers = await asyncio.gather(
            *(submissions.submit(SubmissionRequest(v), address) for v in videos),
            return_exceptions=True,
        )
        later = await asyncio.gather(
            submissions.submit(SubmissionRequest(events.video_id()), address),
            return_exceptions=True,
        )

    assert [isinstance(a, service.Submission) for a in answers] == [True] * 3 + [False] * 2
    assert all(isinstance(a, RateLimited) for a in [*answers[3:], *later])
    async with context.sessionmaker() as session:
        hits = await session.scalar(
            select(func.sum(RateLimit.hits)).where(RateLimit.key == f"ip:{address}")
        )
        jobs = await session.scalar(
            select(func.count()).select_from(Job).where(Job.video_id.in_(videos))
        )
    assert (hits, jobs) == (6, 3)  # refused submissions count too


@pytest.mark.parametrize("refresh", [False, True])
async def test_concurrent_posts_of_one_new_video_share_one_analysis(
    refresh: bool, events: Any, context: GatewayContext, client: httpx.AsyncClient
) -> None:
    video_id = events.video_id()
    answers = await asyncio.gather(
        *(
            client.post(
                "/api/v1/videos", json={"url": f"https://youtu.be/{video_id}", "refresh": refresh}
            )
            for _ in range(6)
        )
    )
    assert [a.status_code for a in answers] == [202] * 6
    assert Counter(a.json()["answered_from"] for a in answers) == {"new": 1, "joined": 5}
    async with context.sessionmaker() as session:
        analyses = await session.scalar(
            select(func.count()).select_from(Analysis).where(Analysis.video_id == video_id)
        )
    assert analyses == 1


async def test_a_bad_link_is_refused_before_it_is_counted(
    context: GatewayContext, app: Any
) -> None:
    address = f"bad-link-{uuid.uuid4().hex}"
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        answer = await http.post("/api/v1/videos", json={"url": "https://example.com/?v=x"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_url"
    async with context.sessionmaker() as session:
        counted = await session.scalar(
            select(func.count()).select_from(RateLimit).where(RateLimit.key == f"ip:{address}")
        )
    assert counted == 0
