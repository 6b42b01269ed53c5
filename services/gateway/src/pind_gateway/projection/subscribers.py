"""The job projection's Kafka handlers: a batch of events at a time (decoded,
deduplicated and marked processed by the kit), projected in the batch's one
transaction; waiting requests are woken once per job after it commits."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    USER,
    VIDEO_INGESTED,
    Envelope,
    JobStage,
    PlacesExtracted,
    UserChanged,
    VideoIngested,
)
from pind_gateway.core.watch import AnalysisWatch
from pind_gateway.projection import service as projection
from pind_kit.consume import Batch, Worker


def register_projection(worker: Worker, watch: AnalysisWatch, group: str) -> None:
    """Subscribe the projection to every topic it folds, in consumer group ``group``."""

    @worker.batch_handler(JOB_STAGE, group=group)
    async def on_stages(batch: Batch[JobStage]) -> None:
        analyses = await projection.project_stages(
            batch.session, [(event.payload, event.envelope) for event in batch.events]
        )
        _wake_after(batch, watch, {event.payload.job_id for event in batch.events} | analyses)

    # About one of each per analysis: projected one by one, in the batch's
    # transaction, once the batch's videos, then analyses, are locked in id order.
    @worker.batch_handler(VIDEO_INGESTED, group=group)
    async def on_ingested(batch: Batch[VideoIngested]) -> None:
        await _project_each(batch, projection.project_ingested, watch)

    @worker.batch_handler(PLACES_EXTRACTED, group=group)
    async def on_places(batch: Batch[PlacesExtracted]) -> None:
        await _project_each(batch, projection.project_places, watch)

    @worker.batch_handler(USER, group=group)
    async def on_users(batch: Batch[UserChanged]) -> None:
        for event in batch.events:
            await projection.project_user(batch.session, event.payload)
        _wake_after(batch, watch, {event.payload.user_id for event in batch.events})


E = TypeVar("E", VideoIngested, PlacesExtracted)


async def _project_each(
    batch: Batch[E],
    project: Callable[[AsyncSession, E, Envelope], Awaitable[uuid.UUID | None]],
    watch: AnalysisWatch,
) -> None:
    """Project a batch's events one at a time; wake each job and its analysis."""
    analyses = await projection.project_batch(
        batch.session,
        [(event.payload, event.envelope) for event in batch.events],
        project,
    )
    _wake_after(batch, watch, {event.payload.job_id for event in batch.events} | analyses)


def _wake_after(batch: Batch[Any], watch: AnalysisWatch, keys: Iterable[uuid.UUID]) -> None:
    """Once the batch commits, wake whoever waits on these analyses, jobs or
    users (an event's own job id is the analysis for every job the gateway
    started; joined jobs wait on the analysis)."""
    batch.after_commit(lambda: watch.notify_each(keys))
