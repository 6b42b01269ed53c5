"""Kafka entry points of ingest: decode (done by the kit), call the service."""

from __future__ import annotations

from pind_contracts import VIDEO_REQUESTED, Topic, VideoRequested
from pind_ingest.service import IngestService
from pind_kit.consume import Incoming, UnitOfWork, Worker

CONSUMER_GROUP = "pind-ingest"


def register(
    worker: Worker,
    service: IngestService,
    *,
    topic: Topic = VIDEO_REQUESTED,
    group: str = CONSUMER_GROUP,
    concurrency: int = 1,
) -> None:
    """Subscribe ``service`` to ``pind.video.requested.v1`` (tests pass their own
    topic), handling up to ``concurrency`` videos at once."""

    @worker.handler(topic, group=group, stage="ingest", concurrency=concurrency)
    async def on_video_requested(event: Incoming[VideoRequested], uow: UnitOfWork) -> None:
        await service.handle(event.payload, uow)
