"""``pind.places.extracted.v1``: the places of a video, resolved by a geocoder."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from pind_contracts.types import Confidence, Contract, Seconds, VideoId

EvidenceSource = Literal[
    "title", "description", "chapter", "tag", "location", "transcript", "ocr", "thumbnail"
]
PlaceCategory = Literal[
    "restaurant",
    "cafe",
    "bar",
    "market",
    "shop",
    "landmark",
    "palace",
    "museum",
    "park",
    "beach",
    "station",
    "neighbourhood",
    "city",
    "region",
    "lodging",
    "road",
    "other",
]


class Evidence(Contract):
    """Why we think the video shows or mentions a place."""

    source: EvidenceSource
    text: str = Field(description="The quoted words, as said or shown.")
    start_s: Seconds | None = Field(default=None, description="When, for transcript/ocr.")
    lang: str | None = None


class Place(Contract):
    """A place with coordinates from a geocoder (never from a language model)."""

    key: str = Field(description="Stable key of the real place, e.g. 'gazetteer:market:1234'.")
    name: str
    name_en: str | None = None
    category: PlaceCategory = "other"
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    address: str | None = None
    radius_m: float | None = Field(
        default=None, ge=0, description="Where the place is no point (a road): how far it runs."
    )
    confidence: Confidence
    geocoder: str = Field(description="Which geocoder gave the coordinates.")
    evidence: list[Evidence] = Field(min_length=1)


class UnresolvedPlace(Contract):
    """A place name we found but could not place on a map; no coordinates invented."""

    name: str
    category: PlaceCategory = "other"
    confidence: Confidence
    evidence: list[Evidence] = Field(min_length=1)
    reason: str


class PlacesExtracted(Contract):
    job_id: UUID
    video_id: VideoId
    places: list[Place]
    unresolved: list[UnresolvedPlace] = Field(default_factory=list)
    inputs_used: list[Literal["metadata", "transcript", "vision"]] = Field(
        description="Which inputs the extraction read."
    )
    extractor: str = Field(description="Candidate extractor, e.g. 'offline' or 'gemini'.")
