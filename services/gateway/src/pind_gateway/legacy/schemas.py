"""The first backend's shapes, as its clients read them (legacy-clients.md)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pind_gateway.core.models import Job, Video, VideoPlace
from pind_gateway.core.views import JobView
from pind_gateway.domain.legacy import LegacyStatus, legacy_status
from pind_gateway.domain.progress import JobState
from pind_gateway.history.service import HistoryEntry

_JOB_ID = "0b1c7f0e-6a9e-4c4f-9a51-3f0f1f4f6b1a"


class LegacyProcess(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"url": "https://youtu.be/dQw4w9WgXcQ"}]}
    )

    url: str = Field(max_length=2048, description="A YouTube video link.")


class LegacyPlace(BaseModel):
    name: str
    lat: float | None = Field(description="Latitude (null: not on the map).")
    lng: float | None = Field(description="Longitude (null: not on the map).")


class LegacyJobStatus(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": _JOB_ID,
                    "status": "PROGRESS",
                    "progress": 45,
                    "current_step": "reading on-screen text",
                }
            ]
        }
    )

    job_id: uuid.UUID
    status: LegacyStatus
    progress: int = Field(ge=0, le=100)
    current_step: str


class LegacyJobResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": _JOB_ID,
                    "status": "SUCCESS",
                    "places": [{"name": "광장시장", "lat": 37.57, "lng": 126.9997}],
                    "video_title": "서울 먹방 브이로그",
                    "video_thumbnail": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
                    "processing_time": 41.2,
                    "error_message": None,
                }
            ]
        }
    )

    job_id: uuid.UUID
    status: LegacyStatus
    places: list[LegacyPlace]
    video_title: str | None = None
    video_thumbnail: str | None = None
    processing_time: float | None = Field(default=None, description="Seconds from request to end.")
    error_message: str | None = None


class LegacyProcessResult(LegacyJobResult):
    """The finished result, or — past the wait limit — the job id and a running status."""

    mode: Literal["db", "new"] = Field(
        description="db: answered from an earlier analysis; new: analysed for this request."
    )


class LegacyVideo(BaseModel):
    id: str
    title: str | None = None
    thumbnail: str | None = None


class LegacyVideoPlaces(BaseModel):
    video: LegacyVideo
    places: list[LegacyPlace]


class LegacyHistoryItem(BaseModel):
    id: str = Field(description="The YouTube video id.")
    title: str | None = None
    thumbnail_url: str | None = None
    created_at: datetime
    places: list[LegacyPlace]


def legacy_history_item(entry: HistoryEntry) -> LegacyHistoryItem:
    row = entry.row
    return LegacyHistoryItem(
        id=row.video_id,
        title=row.video.title,
        thumbnail_url=row.video.thumbnail_url,
        created_at=row.created_at,
        places=legacy_places(entry.places),
    )


def legacy_places(places: Sequence[VideoPlace]) -> list[LegacyPlace]:
    return [LegacyPlace(name=vp.place.name, lat=vp.place.lat, lng=vp.place.lon) for vp in places]


def legacy_video(video: Video) -> LegacyVideo:
    return LegacyVideo(id=video.video_id, title=video.title, thumbnail=video.thumbnail_url)


def _state(job: Job) -> JobState:
    return job.state  # type: ignore[return-value]


def job_status(job: Job) -> LegacyJobStatus:
    return LegacyJobStatus(
        job_id=job.id,
        status=legacy_status(_state(job), job.progress),
        progress=job.progress,
        current_step=job.current_step,
    )


def _result_fields(view: JobView) -> dict[str, object]:
    job = view.job
    ended = job.finished_at or datetime.now(UTC)
    succeeded = job.state in ("succeeded", "partial")
    return {
        "job_id": job.id,
        "status": legacy_status(_state(job), job.progress),
        "places": legacy_places(view.places) if succeeded else [],
        "video_title": view.video.title,
        "video_thumbnail": view.video.thumbnail_url,
        "processing_time": round((ended - job.created_at).total_seconds(), 3),
        "error_message": job.error,
    }


def job_result(view: JobView) -> LegacyJobResult:
    return LegacyJobResult.model_validate(_result_fields(view))


def process_result(view: JobView) -> LegacyProcessResult:
    mode = "db" if view.job.origin == "cached" else "new"
    return LegacyProcessResult.model_validate({**_result_fields(view), "mode": mode})
