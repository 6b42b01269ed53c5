"""Kafka entry points of transcript: decode (done by the kit), call the service."""

from __future__ import annotations

from pind_contracts import VIDEO_INGESTED, Topic, VideoIngested
from pind_kit.consume import Incoming, UnitOfWork, Worker
from pind_transcript.service import TranscriptService, publish_failure

CONSUMER_GROUP = "pind-transcript"


def register(
    worker: Worker,
    service: TranscriptService,
    *,
    topic: Topic = VIDEO_INGESTED,
    group: str = CONSUMER_GROUP,
    concurrency: int = 1,
) -> None:
    """Subscribe ``service`` to ``pind.video.ingested.v1`` (tests pass their own
    topic), up to ``concurrency`` videos at once; giving up on an event also
    publishes the failed outcome."""

    @worker.handler(
        topic,
        group=group,
        stage="transcript",
        on_give_up=publish_failure,
        concurrency=concurrency,
    )
    async def on_video_ingested(event: Incoming[VideoIngested], uow: UnitOfWork) -> None:
        await service.handle(event.payload, uow)
