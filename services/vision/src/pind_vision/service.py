"""Vision: read the text a video shows, and say what came of it — one outcome
per analysis on ``pind.vision.ready.v1`` (the texts, or why there are none:
skipped, failed), committed with the stage's final report."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import cv2
import numpy as np
import structlog

from pind_contracts import VISION_READY, JobStage, VideoIngested, VisionReady
from pind_kit.consume import UnitOfWork
from pind_vision.domain.failures import VisionErrorCode, VisionNotPossible
from pind_vision.domain.frames import FrameSampler, SampledFrame, SamplingPolicy
from pind_vision.domain.media import FetchedMedia, VideoInfo, VideoUnreadable
from pind_vision.domain.merge import MergeRules, Sighting, merge_sightings
from pind_vision.domain.ocr import Image, OcrEngine, OcrUnavailable

log = structlog.get_logger(__name__)

T = TypeVar("T")
Progress = Callable[[float], Awaitable[None]]


class MediaSource(Protocol):
    """Fetches a video's stream; raises the errors of :mod:`pind_vision.domain.failures`."""

    def fetch(self, video_id: str) -> AbstractAsyncContextManager[FetchedMedia]: ...


class FrameReader(Protocol):
    """Decodes a downloaded video; raises :class:`VideoUnreadable` for a file
    that is no video."""

    def probe(self, path: Path) -> VideoInfo: ...

    def read_frames(
        self, path: Path, every_s: float
    ) -> Generator[tuple[float, Image], None, None]: ...


@dataclass(frozen=True, slots=True)
class ReadingLimits:
    max_frames: int = 240
    batch_frames: int = 4
    progress_every_s: float = 2.0
    read_thumbnail: bool = True


async def _in_thread(fn: Callable[..., T], *args: object) -> T:
    """``fn(*args)`` in a worker thread; on cancellation, wait for it to finish
    so that no thread still uses files the caller is about to remove."""
    task = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise


@dataclass
class VisionService:
    media: MediaSource
    engine: OcrEngine
    frames: FrameReader
    policy: SamplingPolicy = field(default_factory=SamplingPolicy)
    rules: MergeRules = field(default_factory=MergeRules)
    limits: ReadingLimits = field(default_factory=ReadingLimits)

    async def read(self, ingested: VideoIngested, progress: Progress) -> VisionReady:
        """The on-screen texts of the video; raises :class:`VisionNotPossible`
        for what a person should read and a ``TransientError`` for failures
        that may pass."""
        try:
            await _in_thread(self.engine.check)
        except OcrUnavailable as exc:
            log.error("ocr engine unavailable", error=str(exc))
            raise VisionNotPossible(VisionErrorCode.OCR_UNAVAILABLE) from exc
        async with self.media.fetch(ingested.video_id) as media:
            await progress(0.05)
            sightings, frames = await self._read_frames(media, ingested, progress)
            if self.limits.read_thumbnail and media.thumbnail_path is not None:
                sightings += await self._read_thumbnail(media.thumbnail_path)
        texts = merge_sightings(sightings, self.rules)
        log.info("video read", frames_sampled=frames, sightings=len(sightings), texts=len(texts))
        return VisionReady(
            job_id=ingested.job_id,
            video_id=ingested.video_id,
            texts=texts,
            frames_sampled=frames,
            engine=self.engine.name,
        )

    async def _read_frames(
        self, media: FetchedMedia, ingested: VideoIngested, progress: Progress
    ) -> tuple[list[Sighting], int]:
        try:
            info = await _in_thread(self.frames.probe, media.video_path)
        except VideoUnreadable as exc:
            raise VisionNotPossible(VisionErrorCode.UNREADABLE_VIDEO) from exc
        duration = info.duration_s or ingested.metadata.duration_s or media.duration_s or 0.0
        sampler = FrameSampler(self.policy)
        sightings: list[Sighting] = []
        count = 0
        last_report = time.monotonic()
        batch: list[SampledFrame] = []
        async for frame in self._sampled(sampler, media.video_path):
            batch.append(frame)
            count += 1
            if len(batch) >= self.limits.batch_frames:
                sightings += await self._ocr(batch)
                batch = []
            if count >= self.limits.max_frames:
                log.warning("frame limit reached", max_frames=count, at_s=round(frame.time_s, 1))
                break
            if duration > 0 and time.monotonic() - last_report >= self.limits.progress_every_s:
                last_report = time.monotonic()
                await progress(min(0.95, 0.05 + 0.9 * sampler.position_s / duration))
        if batch:
            sightings += await self._ocr(batch)
        log.info(
            "frames sampled",
            sampled=count,
            candidates=sampler.candidates,
            duplicates=sampler.duplicates_dropped,
            over_cap=sampler.over_cap_dropped,
        )
        return sightings, count

    async def _sampled(self, sampler: FrameSampler, path: Path) -> AsyncIterator[SampledFrame]:
        decoded = self.frames.read_frames(path, 1.0 / self.policy.analysis_fps)
        frames = sampler.sample(decoded)
        try:
            while (frame := await _in_thread(next, frames, None)) is not None:
                yield frame
        finally:
            frames.close()
            decoded.close()  # releases the capture now, not when collected

    async def _ocr(self, frames: list[SampledFrame]) -> list[Sighting]:
        lines = await _in_thread(self.engine.read_many, [f.image for f in frames])
        return [
            Sighting(
                line.text,
                line.confidence,
                frame.time_s,
                line.box,
                frame.image.shape[1],
                frame.image.shape[0],
            )
            for frame, frame_lines in zip(frames, lines, strict=True)
            for line in frame_lines
        ]

    async def _read_thumbnail(self, path: Path) -> list[Sighting]:
        image = await _in_thread(_load_image, path)
        if image is None:
            log.info("thumbnail unreadable", file=path.name)
            return []
        lines = (await _in_thread(self.engine.read_many, [image]))[0]
        height, width = image.shape[:2]
        return [
            Sighting(line.text, line.confidence, 0.0, line.box, width, height, "thumbnail")
            for line in lines
        ]

    async def handle(self, ingested: VideoIngested, uow: UnitOfWork) -> None:
        """Report the stage, read the video, and commit either the texts with
        ``succeeded`` or a ``skipped``/``failed`` outcome and stage a person
        can read."""
        await uow.stage("started")

        async def report(fraction: float) -> None:
            await uow.stage("progress", progress=fraction)

        try:
            ready = await self.read(ingested, report)
        except VisionNotPossible as outcome:
            log.info("video not read", error_code=str(outcome.code), reason=outcome.reason)
            async with uow.transaction():
                await uow.emit(
                    VISION_READY,
                    VisionReady(
                        job_id=ingested.job_id,
                        video_id=ingested.video_id,
                        outcome=outcome.state,
                        reason=outcome.reason,
                        error_code=str(outcome.code),
                    ),
                )
                await uow.emit_stage(
                    outcome.state,
                    reason=outcome.reason,
                    error_code=str(outcome.code),
                    retryable=outcome.retryable,
                )
            return
        async with uow.transaction():
            await uow.emit(VISION_READY, ready)
            await uow.emit_stage("succeeded")


async def publish_failure(uow: UnitOfWork, failed: JobStage) -> None:
    """The failed outcome, when the kit gives up on an event (retries spent, or
    an error a person must look at): committed with the ``failed`` stage."""
    await uow.emit(
        VISION_READY,
        VisionReady(
            job_id=failed.job_id,
            video_id=failed.video_id,
            outcome="failed",
            reason=failed.reason or "vision failed",
            error_code=failed.error_code,
        ),
    )


def _load_image(path: Path) -> Image | None:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    return None if image is None else np.asarray(image, dtype=np.uint8)
