"""The Korean public-data gazetteer (data/gazetteer/kr in the repository) as one searchable list.

The fake geocoders and the fake Gemini both answer from it. Files are CP949 CSVs
as published on data.go.kr, except the KMA grid file (UTF-8 with BOM).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

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
_HANGUL = re.compile(r"[\uac00-\ud7a3]")

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


def _float(value: str | None) -> float | None:
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number != 0 else None


def _read_csv(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding=encoding, newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            yield number, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _keys(*names: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for k in (normalise(n) for n in names if n) if k))


@dataclass(frozen=True, slots=True)
class _PointFile:
    """A standard-data file of named points: which columns hold what."""

    name_column: str
    category: PlaceCategory
    detail_column: str
    prominence: Callable[[dict[str, str]], float]
    split_name_on: str | None = None
    """Also match each part of names such as '남산&N서울타워'."""

    def places(self, path: Path) -> Iterator[GazetteerPlace]:
        for number, row in _read_csv(path, "cp949"):
            lat, lon = _float(row.get("위도")), _float(row.get("경도"))
            name = row.get(self.name_column, "")
            if not name or lat is None or lon is None:
                continue
            name_en = english_alias(name)
            parts = name.split(self.split_name_on) if self.split_name_on else ()
            yield GazetteerPlace(
                key=f"{path.stem}:{number}",
                name=name,
                name_en=name_en,
                category=self.category,
                lat=lat,
                lon=lon,
                address=row.get("소재지도로명주소") or row.get("소재지지번주소", ""),
                detail=row.get(self.detail_column, ""),
                prominence=self.prominence(row),
                match_keys=_keys(name, name_en, *parts),
            )


def _log_scaled(column: str, floor: float, decades: float) -> Callable[[dict[str, str]], float]:
    """Prominence from a size column (stores, area): floor … floor + 0.5 on a log scale."""

    def prominence(row: dict[str, str]) -> float:
        size = _float(row.get(column)) or 0.0
        return floor + 0.5 * min(1.0, math.log10(size + 1) / decades)

    return prominence


_MARKETS = _PointFile("시장명", PlaceCategory.MARKET, "시장유형", _log_scaled("점포수", 0.4, 3.2))
_ATTRACTIONS = _PointFile(
    "관광지명", PlaceCategory.ATTRACTION, "관광지구분", lambda _row: 0.8, split_name_on="&"
)
_PARKS = _PointFile("공원명", PlaceCategory.PARK, "공원구분", _log_scaled("공원면적", 0.2, 6.5))


_LINE_NUMBER = re.compile(r"(\d+호선)$")


def _short_line(line: str) -> str:
    """'서울 도시철도 2호선' → '2호선'; '부산도시철도 1호선' → '부산 1호선'."""
    match = _LINE_NUMBER.search(line)
    if not match:
        return line
    if line.startswith("서울"):
        return match.group(1)
    return f"{line[:2]} {match.group(1)}"


def _stations(path: Path) -> Iterator[GazetteerPlace]:
    seen: set[tuple[str, str, float, float]] = set()
    for number, row in _read_csv(path, "cp949"):
        lat, lon = _float(row.get("역위도")), _float(row.get("역경도"))
        raw = row.get("역사명", "").replace(" ", "")
        if not raw or lat is None or lon is None:
            continue
        line = row.get("노선명", "")
        if (raw, line, lat, lon) in seen:  # some lines list a station twice
            continue
        seen.add((raw, line, lat, lon))
        stem = re.sub(r"역(?=$|\()", "", raw)
        name = raw if "역" in raw else f"{raw}역"
        english = row.get("영문역사명", "") or english_alias(stem)
        name_en = english if "station" in english.casefold() else f"{english} Station"
        transfer = row.get("환승역구분", "") == "환승역"
        yield GazetteerPlace(
            key=f"{path.stem}:{number}",
            name=name,
            name_en=name_en,
            category=PlaceCategory.STATION,
            lat=lat,
            lon=lon,
            address=row.get("역사도로명주소", ""),
            detail=line,
            prominence=0.7 if transfer else 0.6,
            match_keys=_keys(name, f"{stem}역", name_en),
        )


def _admin_areas(path: Path) -> Iterator[GazetteerPlace]:
    for number, row in _read_csv(path, "utf-8-sig"):
        lat, lon = _float(row.get("위도(초/100)")), _float(row.get("경도(초/100)"))
        levels = [row.get(k, "") for k in ("1단계", "2단계", "3단계")]
        levels = [level for level in levels if level]
        if not levels or lat is None or lon is None:
            continue
        depth = len(levels)
        name = levels[-1]
        yield GazetteerPlace(
            key=f"{path.stem}:{number}",
            name=name,
            name_en=romanize_title(name),
            category=PlaceCategory.ADMIN_AREA,
            lat=lat,
            lon=lon,
            address=" ".join(levels),
            detail=("시도", "시군구", "읍면동")[depth - 1],
            prominence=(0.95, 0.75, 0.45)[depth - 1],
            match_keys=_keys(name, romanize_title(name)),
        )


_FILES = (
    ("traditional_markets_standard.csv", _MARKETS.places),
    ("urban_rail_stations_standard.csv", _stations),
    ("tourist_attractions_standard.csv", _ATTRACTIONS.places),
    ("urban_parks_standard.csv", _PARKS.places),
    ("kma_forecast_grid_admin_points.csv", _admin_areas),
)


class Gazetteer:
    """All places of the gazetteer directory, with simple search and mention finding."""

    def __init__(self, places: Iterable[GazetteerPlace]) -> None:
        self.places: tuple[GazetteerPlace, ...] = tuple(places)
        self._by_key = {place.key: place for place in self.places}
        self._haystacks = [
            "|".join((*p.match_keys, normalise(p.address), normalise(p.detail)))
            for p in self.places
        ]

    @classmethod
    def load(cls, directory: Path) -> Gazetteer:
        return _load_cached(directory.resolve())

    def get(self, key: str) -> GazetteerPlace | None:
        return self._by_key.get(key)

    def lookup(
        self, name: str, category: PlaceCategory | None = None, detail: str | None = None
    ) -> GazetteerPlace:
        """The best place whose name is exactly ``name``; KeyError when none is."""
        wanted = normalise(name)
        found = [
            p
            for p in self.places
            if wanted in p.match_keys
            and (category is None or p.category == category)
            and (detail is None or p.detail == detail)
        ]
        if not found:
            raise KeyError(name)
        return max(found, key=lambda p: (normalise(p.name) == wanted, p.prominence))

    def search(
        self,
        query: str,
        *,
        categories: Iterable[PlaceCategory] | None = None,
        near: tuple[float, float] | None = None,
        radius_m: float | None = None,
    ) -> list[PlaceMatch]:
        """Places whose name matches the query; every word must match name or address.

        Ordered by match quality, then prominence (or distance when ``near`` is given
        and qualities tie), then name.
        """
        whole = normalise(query)
        words = [w for w in (normalise(t) for t in query.split()) if w]
        if not whole or not words:
            return []
        allowed = set(categories) if categories is not None else None
        matches: list[PlaceMatch] = []
        for place, haystack in zip(self.places, self._haystacks, strict=True):
            if allowed is not None and place.category not in allowed:
                continue
            if not all(w in haystack for w in words):
                continue
            if whole in place.match_keys:
                score = 3.0
            elif any(w in place.match_keys for w in words):
                score = 2.0
            elif any(w in k for w in words for k in place.match_keys):
                score = 1.0
            else:
                continue  # matched the address only
            distance = haversine_m(near[0], near[1], place.lat, place.lon) if near else None
            if radius_m is not None and distance is not None and distance > radius_m:
                continue
            matches.append(PlaceMatch(place, score, distance))
        matches.sort(
            key=lambda m: (
                -m.score,
                m.distance_m if m.distance_m is not None else 0.0,
                -m.place.prominence,
                len(m.place.name),
                m.place.key,
            )
        )
        return matches

    def mentions(self, text: str, *, min_length: int = 3) -> list[Mention]:
        """Gazetteer names (Korean, or their English alias) that occur in ``text``.

        Longest match wins where mentions overlap; one mention per distinct name.
        """
        found: list[Mention] = []
        folded = text.casefold()
        for name, places in self._names_for_mentions(min_length).items():
            start = folded.find(name)
            if start < 0:
                continue
            end = start + len(name)
            # An English alias must sit on word boundaries ("Park" inside "Parking").
            if not _HANGUL.search(name) and not _on_word_boundary(folded, start, end):
                continue
            best = max(places, key=lambda p: p.prominence)
            found.append(Mention(best, start, end, text[start:end]))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for mention in found:
            if any(k.start <= mention.start and mention.end <= k.end for k in kept):
                continue
            kept = [k for k in kept if not (mention.start <= k.start and k.end <= mention.end)]
            kept.append(mention)
        seen: set[str] = set()
        unique = []
        for mention in kept:
            if mention.place.key not in seen:
                seen.add(mention.place.key)
                unique.append(mention)
        return unique

    @functools.cache  # noqa: B019 - one Gazetteer per directory lives for the process
    def _names_for_mentions(self, min_length: int) -> dict[str, list[GazetteerPlace]]:
        names: dict[str, list[GazetteerPlace]] = {}
        for place in self.places:
            if place.category == PlaceCategory.ADMIN_AREA and place.detail == "읍면동":
                continue  # thousands of 동 names collide with ordinary words
            candidates = {place.name, place.name_en}
            if place.category == PlaceCategory.ATTRACTION:
                candidates.update(part for part in place.name.split("&") if part)
            for candidate in candidates:
                folded = candidate.casefold().strip()
                hangul = bool(_HANGUL.search(folded))
                if len(folded) < (min_length if hangul else max(min_length, 6)):
                    continue
                if not hangul and " " not in folded:
                    continue  # single romanised words ("Seoul") are too ambiguous
                names.setdefault(folded, []).append(place)
        return names


def _on_word_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


@functools.cache
def _load_cached(directory: Path) -> Gazetteer:
    places: list[GazetteerPlace] = []
    for filename, reader in _FILES:
        path = directory / filename
        if path.exists():
            places.extend(reader(path))
    if not places:
        raise FileNotFoundError(f"no gazetteer CSV files found in {directory}")
    return Gazetteer(places)
