"""``pind.video.requested.v1``: the gateway asks for a video to be analysed."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from pind_contracts.types import Contract, UtcDateTime, VideoId


class AnalysisOptions(Contract):
    """Knobs a requester may set for one analysis."""

    languages: list[str] = Field(
        default_factory=lambda: ["ko", "en"],
        description="Caption languages in order of preference (BCP-47 codes).",
    )
    refresh: bool = Field(default=False, description="Re-analyse even if a result exists.")


class VideoRequested(Contract):
    """A new analysis of one video was requested."""

    job_id: UUID = Field(
        description="The analysis this event starts; every later event carries it."
    )
    video_id: VideoId
    url: str = Field(
        description="Canonical watch URL built from the video id (never the raw input)."
    )
    requested_by: UUID | None = Field(default=None, description="User id, or null for a guest.")
    requested_at: UtcDateTime
    options: AnalysisOptions = Field(default_factory=AnalysisOptions)
