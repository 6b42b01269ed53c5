"""The gazetteer's place records (category, place, match, mention) and how names
are compared: normalised, English aliases, distances on the sphere."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from pind_fakes.romanize import romanize_title


class PlaceCategory(StrEnum):
    MARKET = "market"
    STATION = "station"
    ATTRACTION = "attraction"
    PARK = "park"
    ADMIN_AREA = "admin_area"


@dataclass(frozen=True, slots=True)
class GazetteerPlace:
    """One row of the gazetteer, normalised."""

    key: str  # stable: "<file stem>:<row number>"
    name: str
    name_en: str
    category: PlaceCategory
    lat: float
    lon: float
    address: str
    detail: str  # line name, park kind, market kind, "시도"/"시군구"/"읍면동"
    prominence: float  # 0..1, how well known; used to order equal matches
    match_keys: tuple[str, ...] = field(repr=False)  # normalised name forms

    @property
    def numeric_id(self) -> int:
        return int(hashlib.sha256(self.key.encode()).hexdigest()[:12], 16)


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    place: GazetteerPlace
    score: float  # 3 exact name, 2 a query word is the name, 1 partial
    distance_m: float | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """A gazetteer name found in free text."""

    place: GazetteerPlace
    start: int
    end: int
    surface: str


_NON_WORD = re.compile(r"[\s\W_]+", re.UNICODE)


# Suffix → English word for the alias ("망원시장" → "Mangwon Market").
_ENGLISH_SUFFIXES = (
    ("전통시장", "Market"),
    ("해수욕장", "Beach"),
    ("시장", "Market"),
    ("공원", "Park"),
    ("관광지", "Resort"),
)


def normalise(text: str) -> str:
    """Case-fold, NFC, drop spaces and punctuation: how names are compared."""
    return _NON_WORD.sub("", unicodedata.normalize("NFC", text)).casefold()


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    radius = 6_371_008.8
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def english_alias(name: str) -> str:
    for suffix, word in _ENGLISH_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{romanize_title(name.removesuffix(suffix))} {word}"
    return romanize_title(name)
