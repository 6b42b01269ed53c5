"""Kafka handlers of geo: decode, hand the input to the service, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pind_contracts import (
    JOB_STAGE,
    TRANSCRIPT_READY,
    VIDEO_INGESTED,
    VISION_READY,
    JobStage,
    Topic,
)
from pind_contracts.events.transcript_ready import TranscriptReady
from pind_contracts.events.video_ingested import VideoIngested
from pind_contracts.events.vision_ready import VisionReady
from pind_geo.domain.model import InputKind
from pind_geo.service import Arrival, GeoService
from pind_kit.consume import Incoming, UnitOfWork, Worker

GROUP = "pind-geo"


@dataclass(frozen=True, slots=True)
class InputTopics:
    """Where geo reads its inputs (tests substitute fresh topics)."""

    ingested: Topic = VIDEO_INGESTED
    transcript: Topic = TRANSCRIPT_READY
    vision: Topic = VISION_READY
    stages: Topic = JOB_STAGE


def register(
    worker: Worker, service: GeoService, *, topics: InputTopics | None = None, group: str = GROUP
) -> None:
    topics = topics or InputTopics()

    async def gather(
        event: Incoming[Any], uow: UnitOfWork, kind: InputKind, status: str, **extra: Any
    ) -> None:
        arrival = Arrival(
            job_id=event.payload.job_id,
            video_id=event.payload.video_id,
            kind=kind,
            status=status,
            event_id=event.event_id,
            correlation_id=event.envelope.correlation_id,
            traceparent=event.envelope.traceparent,
            **extra,
        )
        async with uow.transaction() as session:
            await service.gather(session, uow, arrival)

    @worker.handler(topics.ingested, group=group, stage="geo")
    async def on_ingested(event: Incoming[VideoIngested], uow: UnitOfWork) -> None:
        await gather(
            event, uow, "metadata", "received", payload=event.payload.model_dump(mode="json")
        )

    @worker.handler(topics.transcript, group=group, stage="geo")
    async def on_transcript(event: Incoming[TranscriptReady], uow: UnitOfWork) -> None:
        await gather(
            event, uow, "transcript", "received", payload=event.payload.model_dump(mode="json")
        )

    @worker.handler(topics.vision, group=group, stage="geo")
    async def on_vision(event: Incoming[VisionReady], uow: UnitOfWork) -> None:
        await gather(
            event, uow, "vision", "received", payload=event.payload.model_dump(mode="json")
        )

    @worker.handler(topics.stages, group=group, stage="geo")
    async def on_stage(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        # A transcript or vision stage that ended without output settles that input.
        stage = event.payload
        if stage.stage in ("transcript", "vision") and stage.state in ("failed", "skipped"):
            await gather(event, uow, stage.stage, stage.state, reason=stage.reason)
