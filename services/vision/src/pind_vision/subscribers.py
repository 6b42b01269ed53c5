"""Kafka entry points of vision: decode (done by the kit), call the service."""

from __future__ import annotations

from pind_contracts import VIDEO_INGESTED, Topic, VideoIngested
from pind_kit.consume import Incoming, UnitOfWork, Worker
from pind_vision.service import VisionService, publish_failure

CONSUMER_GROUP = "pind-vision"


def register(
    worker: Worker,
    service: VisionService,
    *,
    topic: Topic = VIDEO_INGESTED,
    group: str = CONSUMER_GROUP,
    concurrency: int = 1,
) -> None:
    """Subscribe ``service`` to ``pind.video.ingested.v1`` (tests pass their own
    topic); giving up on an event also publishes the failed outcome."""

    @worker.handler(
        topic,
        group=group,
        stage="vision",
        on_give_up=publish_failure,
        concurrency=concurrency,
    )
    async def on_video_ingested(event: Incoming[VideoIngested], uow: UnitOfWork) -> None:
        await service.handle(event.payload, uow)
