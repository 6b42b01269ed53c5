"""One lock order for submissions and the projection (videos by id, then
analyses by id): submissions and projection batches of every kind, run at once
in their own transactions on the same videos, never deadlock. What they run is
what the request batcher and the Kafka handlers run, called directly, so a
deadlock is raised here rather than retried away by the kit."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from pind_contracts import JOB_STAGE, PLACES_EXTRACTED, VIDEO_INGESTED, Envelope, Topic
from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.models import Analysis
from pind_gateway.projection import service as projection
from pind_gateway.videos.service import SubmissionRequest, submit_videos
from pind_kit.faults import describe

ROUNDS = 4
IN_FLIGHT = 8
FINISHED = 4
STALE_AFTER = timedelta(hours=1)
PLACES, INGESTED = PLACES_EXTRACTED, VIDEO_INGESTED


def envelope(job_id: uuid.UUID, video_id: str, topic: Topic = JOB_STAGE) -> Envelope:
    return Envelope(
        type=topic.event_type,
        producer="test-worker",
        subject=video_id,
        job_id=job_id,
        occurred_at=datetime.now(UTC),
    )


def is_deadlock(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) == "40P01" or "deadlock detected" in str(exc)


async def test_submissions_and_projection_batches_never_deadlock(
    context: GatewayContext, events: Any
) -> None:
    async def transaction(work: Callable[[Any], Awaitable[Any]]) -> None:
        async with context.sessionmaker() as session, session.begin():
            await work(session)

    async def submit(video_ids: list[str]) -> dict[str, uuid.UUID]:
        """Submit, as the request batcher does: one transaction; job ids by video."""
        requests = [SubmissionRequest(v) for v in video_ids]  # type: ignore[arg-type]
        async with context.sessionmaker() as session, session.begin():
            submitted = await submit_videos(session, requests, stale_after=STALE_AFTER)
        return {s.job.video_id: s.job.analysis_id for s in submitted}

    for _ in range(ROUNDS):
        flying = await submit([events.video_id() for _ in range(IN_FLIGHT)])
        finished = await submit([events.video_id() for _ in range(FINISHED)])
        for video_id, job_id in finished.items():  # these succeed before the race
            reports = [
                (
                    events.stage(job_id, video_id, name, "succeeded", progress=1.0),
                    envelope(job_id, video_id),
                )
                for name in ("ingest", "transcript", "vision", "geo")
            ]
            places = [(events.places(job_id, video_id), envelope(job_id, video_id, PLACES))]
            await transaction(lambda s, r=reports: projection.project_stages(s, r))
            await transaction(
                lambda s, p=places: projection.project_batch(s, p, projection.project_places)
            )

        everyone = {**flying, **finished}
        shuffled = list(everyone.items())
        random.shuffle(shuffled)
        backwards = sorted(flying.items(), reverse=True)
        reports = [
            (events.stage(j, v, "transcript", "progress", progress=0.5), envelope(j, v))
            for v, j in shuffled
        ]
        places = [(events.places(j, v), envelope(j, v, PLACES)) for v, j in backwards]
        ingested = [(events.ingested(j, v), envelope(j, v, INGESTED)) for v, j in shuffled]
        races = [
            # Submissions joining the analyses in flight and reusing the finished ones.
            submit(list(everyone)),
            submit([v for v, _ in shuffled]),
            # Stage reports of all of them (late ones of the finished), in any order.
            transaction(lambda s, r=reports: projection.project_stages(s, r)),
            # Geo's and ingest's batches, their events in an order of their own.
            transaction(
                lambda s, p=places: projection.project_batch(s, p, projection.project_places)
            ),
            transaction(
                lambda s, i=ingested: projection.project_batch(s, i, projection.project_ingested)
            ),
        ]
        results = await asyncio.gather(*races, return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        assert [describe(f) for f in failures if is_deadlock(f)] == []
        assert [describe(f) for f in failures] == []

        async with context.sessionmaker() as session:
            states = set(
                (
                    await session.scalars(
                        select(Analysis.state).where(Analysis.id.in_(everyone.values()))
                    )
                ).all()
            )
        assert states == {"succeeded"}, states  # geo's batch completed the ones in flight
