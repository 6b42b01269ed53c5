"""The venue index the repository carries (data/poi/kr/*.csv.gz: restaurants,
cafes, lodging, landmarks; see SOURCES.md there) as the fake Kakao Local and
fake Google Places see it: names with their branches, addresses, areas.

Files: gzip-compressed UTF-8 CSV with the columns name, branch, group (Kakao
category group FD6/CE7/AD5/AT4), kind, sido, sigungu, dong, road, lot, lon, lat;
addresses are stored without their leading '<sido> <sigungu> '."""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pind_fakes.gazetteer import haversine_m, normalise
from pind_fakes.romanize import romanize_title

_HANGUL_ONLY = re.compile(r"[가-힣0-9]*[가-힣][가-힣0-9]*")
SOURCES = (
    "busan_food_lodging_2023",
    "seoul_gwangjin_dongdaemun_food_2022",
    "capital_area_cafes_2022",
    "landmarks_tourapi_2023",
)
# Kakao's short province names (region_1depth_name, address_name).
_SHORT_SIDO = {
    "서울특별시": "서울",
    "부산광역시": "부산",
    "대구광역시": "대구",
    "인천광역시": "인천",
    "광주광역시": "광주",
    "대전광역시": "대전",
    "울산광역시": "울산",
    "경기도": "경기",
    "충청북도": "충북",
    "충청남도": "충남",
    "전라남도": "전남",
    "경상북도": "경북",
    "경상남도": "경남",
}
# English names of chains, as Google Places shows them in English.
CHAIN_NAMES_EN = {
    "스타벅스": "Starbucks",
    "이디야": "EDIYA COFFEE",
    "이디야커피": "EDIYA COFFEE",
    "투썸플레이스": "A Twosome Place",
    "메가커피": "MEGA COFFEE",
    "컴포즈커피": "COMPOSE COFFEE",
    "빽다방": "Paik's Coffee",
    "커피빈": "The Coffee Bean & Tea Leaf",
    "할리스": "Hollys Coffee",
    "파리바게뜨": "Paris Baguette",
    "뚜레쥬르": "Tous les Jours",
    "맘스터치": "Mom's Touch",
    "롯데리아": "Lotteria",
    "맥도날드": "McDonald's",
    "버거킹": "Burger King",
    "교촌치킨": "Kyochon Chicken",
    "설빙": "Sulbing",
}


def short_sido(sido: str) -> str:
    return _SHORT_SIDO.get(sido, sido)


@dataclass(frozen=True, slots=True)
class Venue:
    """One row of the venue index."""

    key: str  # stable: "<source>:<name>|<branch>|<lon>|<lat>" digest
    name: str
    branch: str
    group: str  # FD6 restaurant, CE7 cafe, AD5 lodging, AT4 landmark
    kind: str  # '한식 > 백반/한정식'
    sido: str
    sigungu: str
    dong: str
    road_address: str
    lot_address: str
    lat: float
    lon: float
    match_keys: tuple[str, ...] = field(repr=False)
    """Normalised names: with and without branch, English chain name."""

    @property
    def numeric_id(self) -> int:
        return int(hashlib.sha256(self.key.encode()).hexdigest()[:12], 16)

    @property
    def place_name(self) -> str:
        if not self.branch or normalise(self.name).endswith(normalise(self.branch)):
            return self.name
        return f"{self.name} {self.branch}"

    @property
    def name_en(self) -> str:
        chain = CHAIN_NAMES_EN.get(self.name.replace(" ", ""))
        english = chain or romanize_title(self.name)
        if self.branch and chain:
            return f"{english} {romanize_title(self.branch.removesuffix('점'))}"
        return english

    @property
    def area(self) -> str:
        """'부산 중구 남포동': the areas a Kakao document names when it lacks an address."""
        return " ".join(p for p in (short_sido(self.sido), self.sigungu, self.dong) if p)

    @property
    def area_after_sido(self) -> str:
        return " ".join(p for p in (self.sigungu, self.dong) if p)

    def region_words(self) -> frozenset[str]:
        words = {self.sido, short_sido(self.sido), *self.sigungu.split(), self.dong}
        lot = self.lot_address.split()
        words.update(w for w in lot if w.endswith(("동", "가", "리", "읍", "면")))
        return frozenset(normalise(w) for w in words if w)

    def distance_m(self, near: tuple[float, float] | None) -> float | None:
        return haversine_m(near[0], near[1], self.lat, self.lon) if near else None

    @property
    def prominence(self) -> float:
        """A fixed pseudo-popularity in 0..1: how a real service would order
        equally named branches it knows nothing else about (not by distance)."""
        return int(hashlib.sha256(f"rank|{self.key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class VenueMatch:
    venue: Venue
    score: float  # 3 the whole name, 2 the name without branch, 1 part of the name
    distance_m: float | None = None


_PROVINCE_WORDS = frozenset(
    {
        *_SHORT_SIDO,
        *_SHORT_SIDO.values(),
        "세종특별자치시",
        "제주특별자치도",
        "강원특별자치도",
        "전북특별자치도",
        "강원도",
        "전라북도",
    }
)


def _full(stored: str, sido: str, sigungu: str) -> str:
    if not stored or stored.split()[0] in _PROVINCE_WORDS:
        return stored
    return (f"{sido} {sigungu} " if sigungu else f"{sido} ") + stored


def kakao_address(address: str) -> str:
    """'부산광역시 중구 남포길 47' → '부산 중구 남포길 47', as Kakao writes addresses."""
    first, _, rest = address.partition(" ")
    return f"{short_sido(first)} {rest}".strip() if rest else short_sido(first)


def _read(path: Path, source: str) -> Iterable[Venue]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name, branch = row["name"], row["branch"]
            english = CHAIN_NAMES_EN.get(name.replace(" ", ""), "")
            venue_key = (
                f"{source}:"
                + hashlib.sha256(f"{name}|{branch}|{row['lon']}|{row['lat']}".encode()).hexdigest()[
                    :10
                ]
            )
            yield Venue(
                key=venue_key,
                name=name,
                branch=branch,
                group=row["group"],
                kind=row["kind"],
                sido=row["sido"],
                sigungu=row["sigungu"],
                dong=row["dong"],
                road_address=_full(row["road"], row["sido"], row["sigungu"]),
                lot_address=_full(row["lot"], row["sido"], row["sigungu"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                match_keys=tuple(
                    dict.fromkeys(
                        k
                        for k in (
                            normalise(name + branch),
                            normalise(name),
                            normalise(english),
                        )
                        if k
                    )
                ),
            )


class VenueDirectory:
    """All venues, searched the simple way real services seem to: by name
    or part of it, every same-name branch nationwide."""

    def __init__(self, venues: Iterable[Venue]) -> None:
        self.venues: tuple[Venue, ...] = tuple(venues)
        self._by_key: dict[str, list[int]] = {}
        for i, venue in enumerate(self.venues):
            for key in venue.match_keys:
                self._by_key.setdefault(key, []).append(i)
        self._names = list(self._by_key)
        self._regions: dict[str, set[str]] = {}
        for venue in self.venues:
            full = f"{venue.sido} {venue.sigungu}".strip()
            for word in (venue.sido, short_sido(venue.sido)):
                self._regions.setdefault(normalise(word), set()).add(venue.sido)
            for word in venue.sigungu.split():
                self._regions.setdefault(normalise(word), set()).add(full)
            if venue.dong:
                self._regions.setdefault(normalise(venue.dong), set()).add(f"{full} {venue.dong}")

    def names_in(self, folded: str, min_length: int) -> list[str]:
        """Hangul name keys (names, names with branch) written as they are in
        ``folded`` (case-folded text), at least ``min_length`` letters long."""
        return [key for key in self._hangul_keys(min_length) if key in folded]

    @functools.cache  # noqa: B019 - one directory per process, loaded once
    def _hangul_keys(self, min_length: int) -> tuple[str, ...]:
        return tuple(k for k in self._names if len(k) >= min_length and _HANGUL_ONLY.fullmatch(k))

    def first(self, key: str) -> Venue:
        return self.venues[self._by_key[key][0]]

    @classmethod
    def load(cls, directory: Path) -> VenueDirectory:
        return _load_cached(directory.resolve())

    def regions(self, word: str) -> list[str]:
        """Full names of the areas a query word names ('중구' → every 중구)."""
        return sorted(self._regions.get(normalise(word), ()))

    def search(
        self,
        keyword: str,
        *,
        groups: Iterable[str] | None = None,
        region: str | None = None,
        near: tuple[float, float] | None = None,
    ) -> list[VenueMatch]:
        """Venues whose name holds ``keyword`` (spaces and case ignored), in
        ``region`` (a full area name) when given; unordered."""
        wanted = normalise(keyword)
        if len(wanted) < 2:
            return []
        allowed = set(groups) if groups is not None else None
        scored: dict[int, float] = {}
        for key, owners in self._by_key.items():
            if wanted not in key:
                continue
            score = 3.0 if key == wanted else 2.0 if key.startswith(wanted) else 1.0
            for i in owners:
                if scored.get(i, 0.0) < score:
                    scored[i] = score
        region_words = [normalise(w) for w in region.split()] if region else []
        matches = []
        for i, score in scored.items():
            venue = self.venues[i]
            if allowed is not None and venue.group not in allowed:
                continue
            if region_words and not set(region_words) <= venue.region_words():
                continue
            matches.append(VenueMatch(venue, score, venue.distance_m(near)))
        return matches

    def at_address(self, query: str) -> list[tuple[str, list[Venue]]]:
        """Addresses (road or lot) holding every word of ``query``: (the
        address, its venues), road addresses first."""
        words = [normalise(w) for w in query.replace(",", " ").split() if normalise(w)]
        if not words:
            return []
        found: dict[str, list[Venue]] = {}
        for venue in self.venues:
            for address in (venue.road_address, venue.lot_address):
                if not address:
                    continue
                parts = {normalise(p) for p in address.split()} | {
                    normalise(short_sido(venue.sido))
                }
                if all(w in parts for w in words):
                    found.setdefault(address, []).append(venue)
        return sorted(found.items(), key=lambda item: (item[1][0].lot_address == item[0], item[0]))


@functools.cache
def _load_cached(directory: Path) -> VenueDirectory:
    venues: list[Venue] = []
    for source in SOURCES:
        path = directory / f"{source}.csv.gz"
        if path.exists():
            venues.extend(_read(path, source))
    if not venues:
        raise FileNotFoundError(f"no venue index files (*.csv.gz) found in {directory}")
    return VenueDirectory(venues)
