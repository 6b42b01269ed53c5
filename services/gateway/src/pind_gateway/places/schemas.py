"""Places across videos, and a video's places as export files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from pind_gateway.core.models import Video, VideoPlace
from pind_gateway.core.schemas import PlaceOut, place_out
from pind_gateway.domain.exports import ExportEvidence, ExportPlace
from pind_gateway.domain.video_url import moment_url


class MapPlaceOut(PlaceOut):
    video_id: str
    video_title: str | None = None


class PlacesInBox(BaseModel):
    places: list[MapPlaceOut] = Field(description="Most confident first.")
    truncated: bool = Field(description="More places lie in the box than `limit`.")


def map_place_out(video_place: VideoPlace) -> MapPlaceOut:
    base = place_out(video_place, video_place.video_id)
    return MapPlaceOut(
        **base.model_dump(),
        video_id=video_place.video_id,
        video_title=video_place.video.title,
    )


def _evidence(evidence: dict[str, Any], video_id: str) -> ExportEvidence:
    start_s = evidence.get("start_s")
    return ExportEvidence(
        source=evidence["source"],
        text=evidence["text"],
        start_s=start_s,
        moment_url=moment_url(video_id, start_s) if start_s is not None else None,
    )


def export_places(video: Video, places: Sequence[VideoPlace]) -> list[ExportPlace]:
    return [
        ExportPlace(
            name=vp.place.name,
            name_en=vp.place.name_en,
            lat=vp.place.lat,
            lon=vp.place.lon,
            category=vp.place.category,
            address=vp.place.address,
            confidence=vp.confidence,
            video_id=video.video_id,
            video_title=video.title,
            evidence=tuple(_evidence(e, video.video_id) for e in vp.evidence),
        )
        for vp in places
    ]


def export_title(video: Video) -> str:
    return f"pind: {video.title or video.video_id}"
