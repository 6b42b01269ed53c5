"""Request and answers of ``POST /api/v1/videos`` and ``GET /api/v1/videos/{video_id}``."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from pind_gateway.core.schemas import PlaceOut, UnresolvedOut, VideoOut
from pind_gateway.domain.progress import JobState
from pind_gateway.domain.video_url import MAX_URL_LENGTH


class SubmitVideo(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s"},
                {"url": "https://youtu.be/dQw4w9WgXcQ", "refresh": True},
            ]
        },
    )

    url: str = Field(
        max_length=MAX_URL_LENGTH,
        description="A YouTube watch, youtu.be, shorts, embed or live link.",
    )
    refresh: bool = Field(
        default=False, description="Analyse again even if the video was analysed before."
    )


class JobAccepted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "0b1c7f0e-6a9e-4c4f-9a51-3f0f1f4f6b1a",
                    "video_id": "dQw4w9WgXcQ",
                    "state": "queued",
                    "answered_from": "new",
                    "status_url": "/api/v1/jobs/0b1c7f0e-6a9e-4c4f-9a51-3f0f1f4f6b1a",
                }
            ]
        }
    )

    job_id: uuid.UUID
    video_id: str
    state: JobState
    answered_from: str = Field(description="new, joined or cached (see the job resource).")
    status_url: str = Field(description="Where to follow the job (GET).")


class VideoPlacesOut(BaseModel):
    video_id: str
    video: VideoOut | None = Field(default=None, description="Known once the video was read.")
    places: list[PlaceOut]
    unresolved: list[UnresolvedOut]
