"""The job projection's Kafka handlers: decode (done by the kit), project in
one transaction with the processed mark, then wake waiting requests."""

from __future__ import annotations

import uuid

from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    USER,
    VIDEO_INGESTED,
    JobStage,
    PlacesExtracted,
    UserChanged,
    VideoIngested,
)
from pind_gateway import projection
from pind_gateway.watch import AnalysisWatch
from pind_kit.worker import Incoming, UnitOfWork, Worker


def register_projection(worker: Worker, watch: AnalysisWatch, group: str) -> None:
    """Subscribe the projection to every topic it folds, in consumer group ``group``."""

    @worker.handler(JOB_STAGE, group=group)
    async def on_stage(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        async with uow.transaction() as session:
            analysis_id = await projection.project_stage(session, event.payload, event.envelope)
        _wake(watch, event.payload.job_id, analysis_id)

    @worker.handler(VIDEO_INGESTED, group=group)
    async def on_ingested(event: Incoming[VideoIngested], uow: UnitOfWork) -> None:
        async with uow.transaction() as session:
            analysis_id = await projection.project_ingested(session, event.payload, event.envelope)
        _wake(watch, event.payload.job_id, analysis_id)

    @worker.handler(PLACES_EXTRACTED, group=group)
    async def on_places(event: Incoming[PlacesExtracted], uow: UnitOfWork) -> None:
        async with uow.transaction() as session:
            analysis_id = await projection.project_places(session, event.payload, event.envelope)
        _wake(watch, event.payload.job_id, analysis_id)

    @worker.handler(USER, group=group)
    async def on_user(event: Incoming[UserChanged], uow: UnitOfWork) -> None:
        async with uow.transaction() as session:
            await projection.project_user(session, event.payload)
        watch.notify(event.payload.user_id)


def _wake(watch: AnalysisWatch, job_id: uuid.UUID, analysis_id: uuid.UUID | None) -> None:
    """Wake whoever waits on the analysis (and on the event's own job id, which
    is the same for every event a worker sends about a job the gateway started)."""
    watch.notify(job_id)
    if analysis_id is not None and analysis_id != job_id:
        watch.notify(analysis_id)
