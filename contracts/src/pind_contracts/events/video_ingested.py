"""``pind.video.ingested.v1``: a video's metadata, as ingest read it."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from pind_contracts.events.video_requested import AnalysisOptions
from pind_contracts.types import Contract, Seconds, VideoId


class Chapter(Contract):
    start_s: Seconds
    end_s: Seconds | None = None
    title: str


class Thumbnail(Contract):
    url: str
    width: int | None = None
    height: int | None = None


class CaptionTrack(Contract):
    """A caption track YouTube offers for the video (not its text)."""

    lang: str = Field(description="Language code as YouTube names it, e.g. 'ko', 'en', 'en-US'.")
    kind: Literal["manual", "generated"]
    name: str | None = None


class VideoMetadata(Contract):
    title: str
    description: str = ""
    duration_s: Seconds | None = None
    channel: str | None = None
    channel_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    upload_date: date | None = None
    thumbnails: list[Thumbnail] = Field(default_factory=list)
    chapters: list[Chapter] = Field(default_factory=list)
    location: str | None = Field(default=None, description="The uploader's location label, if any.")
    language: str | None = Field(default=None, description="Declared spoken language, if any.")
    webpage_url: str


class VideoIngested(Contract):
    """Metadata of a video and the caption tracks that exist for it."""

    job_id: UUID
    video_id: VideoId
    metadata: VideoMetadata
    caption_tracks: list[CaptionTrack] = Field(default_factory=list)
    options: AnalysisOptions | None = Field(
        default=None,
        description="The requester's options, passed on from pind.video.requested.v1 "
        "(e.g. caption languages); null from producers that predate the field.",
    )
