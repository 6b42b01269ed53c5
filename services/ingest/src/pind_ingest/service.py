"""Ingest: read a requested video's metadata and say what came of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from pind_contracts import VIDEO_INGESTED, VideoIngested, VideoRequested
from pind_ingest.domain.failures import VideoNotIngestible, check_ingestible
from pind_ingest.domain.metadata import caption_tracks, video_metadata
from pind_kit.consume import UnitOfWork

log = structlog.get_logger(__name__)


class MetadataReader(Protocol):
    """Reads one video's yt-dlp info dict; raises the errors of
    :mod:`pind_ingest.domain.failures`."""

    async def read(self, video_id: str) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class IngestService:
    reader: MetadataReader
    max_duration_s: float

    async def ingest(self, request: VideoRequested) -> VideoIngested:
        """The ingested event for ``request``; raises :class:`VideoNotIngestible`
        for videos we cannot or do not analyse, and a ``TransientError`` for
        failures that may pass."""
        info = await self.reader.read(request.video_id)
        check_ingestible(info, self.max_duration_s)
        return VideoIngested(
            job_id=request.job_id,
            video_id=request.video_id,
            metadata=video_metadata(request.video_id, info),
            caption_tracks=caption_tracks(info),
            options=request.options,
        )

    async def handle(self, request: VideoRequested, uow: UnitOfWork) -> None:
        """Report the stage, ingest, and commit either the ingested event with
        ``succeeded`` or a ``failed`` stage a person can read."""
        await uow.stage("started")
        try:
            ingested = await self.ingest(request)
        except VideoNotIngestible as failure:
            log.info("video not ingestible", error_code=str(failure.code), reason=failure.reason)
            async with uow.transaction():
                await uow.emit_stage(
                    "failed",
                    reason=failure.reason,
                    error_code=str(failure.code),
                    retryable=failure.retryable,
                )
            return
        log.info(
            "video ingested",
            title=ingested.metadata.title,
            duration_s=ingested.metadata.duration_s,
            caption_tracks=[f"{t.lang}:{t.kind}" for t in ingested.caption_tracks],
        )
        async with uow.transaction():
            await uow.emit(VIDEO_INGESTED, ingested)
            await uow.emit_stage("succeeded")
