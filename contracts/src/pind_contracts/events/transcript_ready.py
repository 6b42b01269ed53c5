"""``pind.transcript.ready.v1``: what the video says, with times."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from pind_contracts.types import Contract, Seconds, VideoId

TranscriptSource = Literal["manual", "generated", "translated", "subtitles", "speech"]


class TranscriptSegment(Contract):
    start_s: Seconds
    duration_s: Seconds
    text: str


class TranscriptReady(Contract):
    """A timed transcript of the video."""

    job_id: UUID
    video_id: VideoId
    language: str = Field(description="Language code of the segments' text.")
    source: TranscriptSource = Field(
        description="manual or generated captions, a translation, yt-dlp subtitle "
        "tracks, or speech-to-text on the audio."
    )
    segments: list[TranscriptSegment]
