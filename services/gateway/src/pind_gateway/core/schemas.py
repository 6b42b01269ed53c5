"""Response shapes more than one feature answers with: the error body, and the
job, video and place resources (``GET /api/v1/jobs/{job_id}``, a video's places,
the map, the live streams)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pind_gateway.core.models import Video, VideoPlace
from pind_gateway.core.views import JobView
from pind_gateway.domain.exports import google_maps_url
from pind_gateway.domain.progress import STAGES, JobState, StageStatus
from pind_gateway.domain.video_url import moment_url


class ErrorBody(BaseModel):
    """Every error the gateway answers; legacy clients show ``detail``."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "no job with id …", "code": "job_not_found"}]}
    )

    detail: str = Field(description="What went wrong and what to do, for people.")
    code: str = Field(description="Stable machine-readable code.")


class ValidationErrorBody(ErrorBody):
    """A request that does not match the API (422)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": "not a YouTube video link: not a YouTube host: example.com",
                    "code": "invalid_url",
                },
                {
                    "detail": "invalid request: url: Field required",
                    "code": "invalid_request",
                    "errors": [
                        {"loc": ["body", "url"], "msg": "Field required", "type": "missing"}
                    ],
                },
            ]
        }
    )

    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Each field that failed validation (invalid_request only)."
    )


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    described = {
        400: (ErrorBody, "The request cannot be carried out (e.g. an invalid reset token)"),
        401: (ErrorBody, "Not signed in, or the access token is invalid or expired"),
        404: (ErrorBody, "Not found"),
        429: (ErrorBody, "Too many requests; wait the Retry-After seconds"),
        503: (ErrorBody, "A service the gateway depends on is unavailable"),
        413: (ErrorBody, "Request body too large"),
        422: (ValidationErrorBody, "The request or the URL is invalid"),
        500: (ErrorBody, "Unexpected failure"),
    }
    return {
        status: {"model": described[status][0], "description": described[status][1]}
        for status in statuses
    }


class StageOut(BaseModel):
    state: StageStatus
    progress: int = Field(ge=0, le=100, description="Percent of this stage done.")
    reason: str | None = Field(default=None, description="Why it failed or was skipped.")
    updated_at: datetime


class EvidenceOut(BaseModel):
    source: str = Field(description="title, description, chapter, tag, location, transcript, ocr…")
    text: str = Field(description="The words as said or shown.")
    start_s: float | None = Field(default=None, description="When in the video, if timed.")
    video_url_at: str | None = Field(default=None, description="A link to that moment.")


class PlaceOut(BaseModel):
    name: str
    name_en: str | None = None
    category: str
    lat: float
    lon: float
    address: str | None = None
    confidence: float = Field(ge=0, le=1)
    geocoder: str = Field(description="Which geocoder gave the coordinates.")
    google_maps_url: str = Field(description="Opens Google Maps at the place.")
    evidence: list[EvidenceOut]


class UnresolvedOut(BaseModel):
    name: str
    category: str
    confidence: float
    reason: str = Field(description="Why it could not be placed on a map.")
    evidence: list[EvidenceOut]


class VideoOut(BaseModel):
    video_id: str
    url: str
    title: str
    thumbnail_url: str | None = None
    duration_s: float | None = None
    channel: str | None = None


class JobOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "0b1c7f0e-6a9e-4c4f-9a51-3f0f1f4f6b1a",
                    "video_id": "dQw4w9WgXcQ",
                    "state": "running",
                    "progress": 40,
                    "current_step": "reading the transcript",
                    "error": None,
                    "stages": {
                        "ingest": {
                            "state": "succeeded",
                            "progress": 100,
                            "reason": None,
                            "updated_at": "2026-11-26T02:00:03Z",
                        },
                        "transcript": {
                            "state": "running",
                            "progress": 50,
                            "reason": None,
                            "updated_at": "2026-11-26T02:00:05Z",
                        },
                        "vision": {
                            "state": "pending",
                            "progress": 0,
                            "reason": None,
                            "updated_at": "2026-11-26T02:00:00Z",
                        },
                        "geo": {
                            "state": "pending",
                            "progress": 0,
                            "reason": None,
                            "updated_at": "2026-11-26T02:00:00Z",
                        },
                    },
                    "created_at": "2026-11-26T02:00:00Z",
                    "updated_at": "2026-11-26T02:00:05Z",
                    "finished_at": None,
                    "answered_from": "new",
                    "video": None,
                    "places": [],
                    "unresolved": [],
                }
            ]
        }
    )

    job_id: uuid.UUID
    video_id: str
    state: JobState
    progress: int = Field(ge=0, le=100)
    current_step: str = Field(description="What the analysis is doing now, for people.")
    error: str | None = Field(default=None, description="Why the job failed or is partial.")
    stages: dict[str, StageOut]
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    answered_from: str = Field(
        description="new (this job started the analysis), joined (it shares one already "
        "running) or cached (answered from an earlier analysis)."
    )
    video: VideoOut | None = Field(default=None, description="Known once the video was read.")
    places: list[PlaceOut]
    unresolved: list[UnresolvedOut]

    @classmethod
    def of(cls, view: JobView) -> JobOut:
        job = view.job
        return cls(
            job_id=job.id,
            video_id=job.video_id,
            state=job.state,
            progress=job.progress,
            current_step=job.current_step,
            error=job.error,
            stages={
                name: StageOut(
                    state=view.stages[name].status,
                    progress=round(view.stages[name].progress * 100),
                    reason=view.stages[name].reason,
                    updated_at=view.stage_times[name],
                )
                for name in STAGES
            },
            created_at=job.created_at,
            updated_at=job.updated_at,
            finished_at=job.finished_at,
            answered_from=job.origin,
            video=video_out(view.video),
            places=[place_out(vp, job.video_id) for vp in view.places],
            unresolved=[unresolved_out(u, job.video_id) for u in view.video.unresolved],
        )


def video_out(video: Video) -> VideoOut | None:
    if video.title is None:
        return None
    return VideoOut(
        video_id=video.video_id,
        url=video.url,
        title=video.title,
        thumbnail_url=video.thumbnail_url,
        duration_s=video.duration_s,
        channel=video.channel,
    )


def evidence_out(evidence: dict[str, Any], video_id: str) -> EvidenceOut:
    start_s = evidence.get("start_s")
    return EvidenceOut(
        source=evidence["source"],
        text=evidence["text"],
        start_s=start_s,
        video_url_at=moment_url(video_id, start_s) if start_s is not None else None,
    )


def place_out(video_place: VideoPlace, video_id: str) -> PlaceOut:
    place = video_place.place
    return PlaceOut(
        name=place.name,
        name_en=place.name_en,
        category=place.category,
        lat=place.lat,
        lon=place.lon,
        address=place.address,
        confidence=video_place.confidence,
        geocoder=place.geocoder,
        google_maps_url=google_maps_url(place.lat, place.lon),
        evidence=[evidence_out(e, video_id) for e in video_place.evidence],
    )


def unresolved_out(unresolved: dict[str, Any], video_id: str) -> UnresolvedOut:
    return UnresolvedOut(
        name=unresolved["name"],
        category=unresolved.get("category", "other"),
        confidence=unresolved["confidence"],
        reason=unresolved["reason"],
        evidence=[evidence_out(e, video_id) for e in unresolved.get("evidence", [])],
    )
