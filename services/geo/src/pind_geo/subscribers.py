"""Kafka handlers of geo: decode, hand the input to the service, nothing else.

Geo reads outcomes, not progress: ``pind.video.ingested.v1`` and the one
outcome transcript and vision each publish on their own topic — a result
(``ready``) or the news that none will come (``failed``/``skipped``, with the
reason). It does not read ``pind.job.stage.v1``, the gateway's progress
stream; what happens while producers that still report failures only there
are being upgraded is in :mod:`pind_contracts.events.outcome` (geo's gather
deadline settles those analyses).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pind_contracts import TRANSCRIPT_READY, VIDEO_INGESTED, VISION_READY, Topic
from pind_contracts.events.outcome import StageOutcome
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

    async def settle(event: Incoming[Any], uow: UnitOfWork, kind: InputKind) -> None:
        """A result is received with its payload; a failed or skipped outcome
        settles the input with its reason and no payload."""
        outcome: StageOutcome = event.payload
        if outcome.is_ready:
            await gather(event, uow, kind, "received", payload=outcome.model_dump(mode="json"))
        else:
            await gather(event, uow, kind, outcome.outcome, reason=outcome.reason)

    @worker.handler(topics.ingested, group=group, stage="geo")
    async def on_ingested(event: Incoming[VideoIngested], uow: UnitOfWork) -> None:
        await gather(
            event, uow, "metadata", "received", payload=event.payload.model_dump(mode="json")
        )

    @worker.handler(topics.transcript, group=group, stage="geo")
    async def on_transcript(event: Incoming[TranscriptReady], uow: UnitOfWork) -> None:
        await settle(event, uow, "transcript")

    @worker.handler(topics.vision, group=group, stage="geo")
    async def on_vision(event: Incoming[VisionReady], uow: UnitOfWork) -> None:
        await settle(event, uow, "vision")
