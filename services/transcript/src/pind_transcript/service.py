"""Transcript: find the words of an ingested video, trying each source in turn,
and publish the one outcome geo waits for on ``pind.transcript.ready.v1`` —
the transcript, or why there is none (skipped, failed) — in the transaction
that commits the stage's final report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog

from pind_contracts import TRANSCRIPT_READY, JobStage, TranscriptReady, VideoIngested
from pind_kit.consume import UnitOfWork
from pind_kit.errors import TransientError
from pind_transcript.domain.transcript import ProgressReport, StepContext, Transcript

log = structlog.get_logger(__name__)

NO_CAPTIONS_REASON = "the video has no captions in any language; speech-to-text is not enabled"
NO_TRANSCRIPT_REASON = "the video has no captions in any language and no speech could be recognised"


class TranscriptStep(Protocol):
    """One way to get a transcript: captions, subtitle files, speech-to-text.

    Returns None when this source has nothing for the video (the next step is
    tried); raises ``TransientError`` when the source may answer later.
    """

    @property
    def name(self) -> str: ...

    @property
    def is_speech(self) -> bool: ...

    async def transcribe(
        self, video_id: str, languages: Sequence[str], context: StepContext
    ) -> Transcript | None: ...


def preferred_languages(video: VideoIngested, configured: Sequence[str]) -> list[str]:
    """The requester's languages first (when the event carries them), then the
    configured ones; each once."""
    requested = video.options.languages if video.options is not None else []
    return list(dict.fromkeys(code for code in [*requested, *configured] if code))


@dataclass(frozen=True, slots=True)
class TranscriptService:
    steps: Sequence[TranscriptStep]
    languages: Sequence[str]

    @property
    def has_speech(self) -> bool:
        return any(step.is_speech for step in self.steps)

    @property
    def no_transcript_reason(self) -> str:
        return NO_TRANSCRIPT_REASON if self.has_speech else NO_CAPTIONS_REASON

    @property
    def no_transcript_code(self) -> str:
        return "no_speech" if self.has_speech else "no_captions"

    async def transcribe(
        self, video: VideoIngested, progress: ProgressReport | None = None
    ) -> Transcript | None:
        """The first non-empty transcript the steps produce, in order.

        A step that fails transiently (YouTube blocking the captions API, say)
        does not stop the chain: a later step may still have the text. Only if
        none has any is the first transient failure raised, for the kit to
        retry: "blocked" must not be reported as "no captions".
        """
        languages = preferred_languages(video, self.languages)
        context = StepContext(
            spoken_language=video.metadata.language,
            duration_s=video.metadata.duration_s,
            report_progress=progress,
        )
        deferred: TransientError | None = None
        for step in self.steps:
            try:
                transcript = await step.transcribe(video.video_id, languages, context)
            except TransientError as exc:
                log.warning("transcript step failed transiently", step=step.name, error=str(exc))
                deferred = deferred or exc
                continue
            if transcript is not None and transcript.segments:
                return transcript
            log.info("transcript step found nothing", step=step.name)
        if deferred is not None:
            raise deferred
        return None

    async def handle(self, video: VideoIngested, uow: UnitOfWork) -> None:
        """Report the stage, transcribe, and commit ``transcript.ready`` with
        ``succeeded``, or a skipped outcome with ``skipped`` when no source
        has any text."""
        await uow.stage("started")

        async def report(fraction: float) -> None:
            await uow.stage("progress", progress=fraction)

        transcript = await self.transcribe(video, report)
        async with uow.transaction():
            if transcript is None:
                log.info("no transcript", reason=self.no_transcript_reason)
                await uow.emit(
                    TRANSCRIPT_READY,
                    TranscriptReady(
                        job_id=video.job_id,
                        video_id=video.video_id,
                        outcome="skipped",
                        reason=self.no_transcript_reason,
                        error_code=self.no_transcript_code,
                    ),
                )
                await uow.emit_stage(
                    "skipped", reason=self.no_transcript_reason, error_code=self.no_transcript_code
                )
                return
            log.info(
                "transcript ready",
                source=transcript.source,
                language=transcript.language,
                segments=len(transcript.segments),
            )
            await uow.emit(
                TRANSCRIPT_READY,
                TranscriptReady(
                    job_id=video.job_id,
                    video_id=video.video_id,
                    language=transcript.language,
                    source=transcript.source,
                    segments=list(transcript.segments),
                ),
            )
            await uow.emit_stage("succeeded")


async def publish_failure(uow: UnitOfWork, failed: JobStage) -> None:
    """The failed outcome, when the kit gives up on an event (retries spent, or
    an error a person must look at): committed with the ``failed`` stage."""
    await uow.emit(
        TRANSCRIPT_READY,
        TranscriptReady(
            job_id=failed.job_id,
            video_id=failed.video_id,
            outcome="failed",
            reason=failed.reason or "transcript failed",
            error_code=failed.error_code,
        ),
    )
