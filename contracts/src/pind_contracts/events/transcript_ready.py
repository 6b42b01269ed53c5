"""``pind.transcript.ready.v1``: what the video says, with times — or why
there is no transcript (the outcome fields: :mod:`pind_contracts.events.outcome`)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import ConfigDict, Field, model_validator

from pind_contracts.events.outcome import StageOutcome, outcome_schema
from pind_contracts.types import Contract, Seconds, VideoId

TranscriptSource = Literal["manual", "generated", "translated", "subtitles", "speech"]

_RESULT = ("language", "source", "segments")


class TranscriptSegment(Contract):
    start_s: Seconds
    duration_s: Seconds
    text: str


class TranscriptReady(StageOutcome):
    """How transcript ended for one analysis: a timed transcript of the video
    (``outcome`` ready), or none, with the reason (failed, skipped).

    ``language``, ``source`` and ``segments`` were required before ``outcome``
    existed; a ready event still carries all three, a failed or skipped one
    none of them (``null``, ``[]``), so it cannot pass for a transcript."""

    model_config = ConfigDict(json_schema_extra=outcome_schema(list(_RESULT)))

    job_id: UUID
    video_id: VideoId
    language: str | None = Field(
        default=None, description="Language code of the segments' text (ready only)."
    )
    source: TranscriptSource | None = Field(
        default=None,
        description="manual or generated captions, a translation, yt-dlp subtitle "
        "tracks, or speech-to-text on the audio (ready only).",
    )
    segments: list[TranscriptSegment] = Field(
        default_factory=list, description="The timed text (ready only; empty otherwise)."
    )

    @model_validator(mode="after")
    def _outcome_matches_result(self) -> TranscriptReady:
        self._check_outcome(
            result={"language": self.language, "source": self.source, "segments": self.segments},
            required=("language", "source"),
        )
        return self
