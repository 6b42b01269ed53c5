"""Value types of place extraction: what was read, what looked like a place,
what a geocoder answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pind_contracts.events.places_extracted import EvidenceSource, PlaceCategory
from pind_geo.domain.text import sentence_around

InputKind = Literal["metadata", "transcript", "vision"]
INPUT_KINDS: tuple[InputKind, ...] = ("metadata", "transcript", "vision")

Script = Literal["ko", "en"]


@dataclass(frozen=True, slots=True)
class TextUnit:
    """One piece of text the video carries: a title, a description, a caption
    segment, a line seen on screen. ``start_s`` is when it was said or first seen."""

    source: EvidenceSource
    text: str
    start_s: float | None = None
    lang: str | None = None
    weight: float = 1.0
    """How much to trust the reading itself (OCR confidence; 1.0 for typed text)."""


@dataclass(frozen=True, slots=True)
class PlaceCandidate:
    """A span of a text unit that may name a place."""

    text: str
    """The words as they appear (OCR syllable spacing already undone)."""
    unit: TextUnit
    start: int
    end: int
    """Character offsets of the span in ``unit.text``."""
    script: Script
    category_hint: PlaceCategory | None = None
    """Category implied by the name itself (…시장 → market, … Station → station)."""
    place_cue: bool = False
    """The text says this is a place (a place suffix, '에서', 'at', a hashtag…):
    such a candidate is reported as unresolved when no geocoder knows it."""
    proper_noun: bool = False
    named_entity: bool = False
    """A named-entity model labelled it a place (spaCy GPE/LOC/FAC)."""
    world: bool = True
    """Whether places outside Korea may answer to it (False for phrases only a
    Korean gazetteer should resolve: the capitalised-phrase matcher's)."""
    known_as: str | None = None
    """The Korean name a romanised one stands for ('Geumsu Bokguk' → 금수복국),
    asked of the geocoders instead (Kakao does not read romanised names)."""

    @property
    def sentence(self) -> str:
        """The sentence around the span, for evidence a person can read."""
        return sentence_around(self.unit.text, self.start, self.end)


@dataclass(frozen=True, slots=True)
class GeocodeQuery:
    """What we ask a geocoder."""

    text: str
    script: Script
    category_hint: PlaceCategory | None = None
    from_ocr: bool = False
    """OCR text: compare without spaces and tolerate a misread letter."""
    world: bool = True
    """Whether geocoders of places outside Korea should answer."""
    offline_only: bool = False
    """Ask only the in-memory geocoders (the first pass of resolution)."""
    near: tuple[float, float] | None = None
    """(lat, lon) the text's other places surround: online geocoders prefer
    places close to it."""
    radius_m: float | None = None
    """With ``near``: only places this close, nearest first (Kakao sort=distance)."""
    region: str | None = "KR"
    """ISO country the video is about, as a region bias for online geocoders."""


@dataclass(frozen=True, slots=True)
class AdminArea:
    """The administrative areas a point lies in (as named by the data source)."""

    province: str | None = None
    district: str | None = None


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """One place a geocoder thinks the query names."""

    key: str
    name: str
    category: PlaceCategory
    lat: float
    lon: float
    score: float
    """How well the query matched this place's name, 0..1."""
    geocoder: str
    name_en: str | None = None
    address: str | None = None
    area: AdminArea = field(default_factory=AdminArea)
    admin_level: int = 0
    """0 for a point of interest; 1 province, 2 city/district, 3 neighbourhood."""
    context: bool = True
    """Once chosen, does it say which region the text is about (a province, a
    country, a state: yes; one of the world's many towns: no)."""
    chain: bool = False
    """A chain's venue answering its name without a branch: never chosen by
    context alone (the video did not say which branch)."""
    radius_m: float | None = None
    """How far from the point the place runs, where it is no point (a road)."""
