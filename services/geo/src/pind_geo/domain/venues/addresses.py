"""Road-name and lot-number addresses, placed from the venue data. Pure: no I/O.

An address a venue of the data has ('부산 중구 자갈치로 26') is that venue's
point. Any other address still says which 행정동 (administrative
neighbourhood) it is in, read from the data's addresses around it:

- a road address by the venues on the same road in the same district, the
  one with the closest building number ('자갈치로 30' is where 자갈치로 26
  and 자갈치로 42 are);
- a lot address by the venues in the same 법정동 (legal neighbourhood,
  '부평동2가'), the 행정동 most of them are in;
- an address that names its 행정동 ('부산 중구 남포동 …') by that name.

The 행정동's point is the KMA representative point (the gazetteer's
neighbourhood entries), not a building: an address placed this way is
reported as that neighbourhood. A road named without a building number
('서울 종로구 창경궁로') is the road itself (``roads``: a point on it and a
radius), from the addresses of the venue data and of the gazetteer's places."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pind_geo.domain.gazetteer import GazetteerEntry
from pind_geo.domain.regions import area_of_address, province_aliases, province_short
from pind_geo.domain.text import match_key
from pind_geo.domain.venues.records import VenueRecord
from pind_geo.domain.venues.roads import RoadBook, RoadPoint

_ROAD = re.compile(r"([가-힣0-9]+(?:로|길))\s*(\d+)(?:-(\d+))?")
_ROAD_NAME = re.compile(r"([가-힣][가-힣0-9]*(?:로|길))\s*$")
_LOT = re.compile(r"([가-힣0-9]+(?:동|가|리))\s*(산?\d+(?:-\d+)?)")
_DONG_WORD = re.compile(r"[가-힣0-9.·]+동")
_DONG_LEVEL = 3
_NUMBERED = re.compile(r"제(?=\d)")

Area = tuple[str, str]
"""(province short form, 시군구)."""


def address_key(text: str | None) -> str | None:
    """'능동로 111' of any road address, else '부평동2가 35-3' of a lot address:
    the part after the district that says where (no spaces)."""
    if not text:
        return None
    road = _ROAD.search(text)
    if road:
        return road.group(0).replace(" ", "")
    lot = _LOT.search(text)
    return lot.group(1) + lot.group(2) if lot else None


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """What an address names: the venues at it, or else the 행정동 it is in."""

    venues: tuple[VenueRecord, ...] = ()
    dong: GazetteerEntry | None = None
    """The 행정동 (a neighbourhood entry of the gazetteer) when no venue is at it."""
    how: str = ""
    """How the 행정동 was read: 'road', 'lot' or 'named'."""
    road: RoadPoint | None = None
    """The road, for a road named without a building number."""


class AddressBook:
    """Addresses of the venue data, and the 행정동 points (``dongs``: the
    gazetteer's level-3 entries) to fall back to. Build once; read-only."""

    def __init__(self, venues: Sequence[VenueRecord], dongs: Iterable[GazetteerEntry]) -> None:
        self._venues = tuple(venues)
        dongs = tuple(dongs)
        self._exact: dict[str, list[int]] = defaultdict(list)
        roads: dict[tuple[str, str, str], list[tuple[int, str]]] = defaultdict(list)
        legal: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
        for i, venue in enumerate(self._venues):
            for address in (venue.road_address, venue.lot_address):
                key = address_key(address)
                if key:
                    self._exact[key].append(i)
            if not venue.dong:
                continue
            area = (province_short(venue.sido) or "", venue.sigungu)
            road = _ROAD.search(venue.road_address or "")
            if road:
                roads[(*area, road.group(1))].append((int(road.group(2)), venue.dong))
            lot = _LOT.search(venue.lot_address or "")
            if lot:
                legal[(*area, lot.group(1))][venue.dong] += 1
        self._roads = {k: sorted(set(v)) for k, v in roads.items()}
        self._road_areas: dict[str, set[Area]] = defaultdict(set)
        for province, district, name in self._roads:
            self._road_areas[name].add((province, district))
        self._legal = {k: c.most_common(1)[0][0] for k, c in legal.items()}
        self._dongs: dict[tuple[str, str, str], GazetteerEntry] = {}
        for entry in dongs:
            if entry.admin_level == _DONG_LEVEL and entry.area.province and entry.area.district:
                for name in {entry.name, *entry.names_ko}:
                    where = (entry.area.province, entry.area.district, _dong_key(name))
                    self._dongs.setdefault(where, entry)
        self.roads = RoadBook(_addressed(self._venues, dongs))
        self._districts: dict[str, set[Area]] = defaultdict(set)
        for province, district, _ in self._dongs:
            self._districts[match_key(district)].add((province, district))
            for alias in (province, *province_aliases(province)):
                self._districts[match_key(alias)].add((province, ""))

    def locate(self, text: str) -> AddressMatch:
        """The venues at the address ``text`` ('서울 광진구 능동로 111',
        '자갈치로 26'; in the district it names when it names one), else the
        행정동 it is in (empty when neither can be told)."""
        key = address_key(text)
        areas = self._areas(text)
        road = _ROAD_NAME.search(text)
        if road and not key:
            return AddressMatch(road=self.roads.find(road.group(1), areas))
        if key:
            venues = [self._venues[i] for i in self._exact.get(key, ())]
            if areas:
                venues = [v for v in venues if _in(v, areas)] or venues
            words = {match_key(w) for w in text.split()}
            narrowed = [v for v in venues if {match_key(v.sigungu), match_key(v.dong)} & words]
            if narrowed or venues:
                return AddressMatch(tuple(narrowed or venues))
        return self._dong_of(text, areas)

    def _areas(self, text: str) -> set[Area]:
        """The (province, district) pairs the words of the address allow:
        those it names, else those of the province it names, else the one
        district its road is in (when the data has that road in one only)."""
        named = {a for w in text.split() for a in self._districts.get(match_key(w), ())}
        provinces = {a[0] for a in named if not a[1]}
        found = {a for a in named if a[1] and (not provinces or a[0] in provinces)}
        road = _ROAD.search(text) or _ROAD_NAME.search(text)
        on_road = self._road_areas.get(road.group(1), set()) if road else set()
        if not found and provinces:
            found = {a for a in on_road if a[0] in provinces} or {
                (p, d) for p, d, _ in self._dongs if p in provinces
            }
        if not found and not provinces and len(on_road) == 1:
            found = set(on_road)
        return found

    def _dong_of(self, text: str, areas: set[Area]) -> AddressMatch:
        if not areas:
            return AddressMatch()  # a road name alone may be in many districts
        road = _ROAD.search(text)
        if road:
            dongs = {
                d
                for area in areas
                if (d := self._nearest_number(area, road.group(1), int(road.group(2))))
            }
            if len(dongs) == 1:
                return AddressMatch(dong=next(iter(dongs)), how="road")
        lot = _LOT.search(text)
        if lot:
            dongs = {
                entry
                for area in areas
                if (name := self._legal.get((*area, lot.group(1))))
                and (entry := self._dongs.get((*area, _dong_key(name))))
            }
            if len(dongs) == 1:
                return AddressMatch(dong=next(iter(dongs)), how="lot")
        named = {
            entry
            for word in _DONG_WORD.findall(text)
            for area in areas
            if (entry := self._dongs.get((*area, _dong_key(word))))
        }
        if len(named) == 1:
            return AddressMatch(dong=next(iter(named)), how="named")
        return AddressMatch()

    def _nearest_number(self, area: Area, road: str, number: int) -> GazetteerEntry | None:
        """The 행정동 of the venue on ``road`` whose building number is closest."""
        numbers = self._roads.get((*area, road))
        if not numbers:
            return None
        at = bisect_left(numbers, (number, ""))
        near = [numbers[i] for i in (at - 1, at) if 0 <= i < len(numbers)]
        best = min(near, key=lambda pair: abs(pair[0] - number))
        return self._dongs.get((*area, _dong_key(best[1])))


def _addressed(
    venues: Iterable[VenueRecord], entries: Iterable[GazetteerEntry]
) -> Iterable[tuple[str, str, str, float, float]]:
    """(province, district, road address, lat, lon) of every venue and place with one."""
    for venue in venues:
        if venue.road_address:
            province = province_short(venue.sido) or ""
            yield province, venue.sigungu, venue.road_address, venue.lat, venue.lon
    for entry in entries:
        if entry.address and entry.admin_level == 0:
            where, district = area_of_address(entry.address)
            if where and district:
                yield where, district, entry.address, entry.lat, entry.lon


def _dong_key(name: str) -> str:
    """KMA writes '우제1동' where the venue data writes '우1동'."""
    return match_key(_NUMBERED.sub("", name))


def _in(venue: VenueRecord, areas: set[Area]) -> bool:
    return (province_short(venue.sido) or "", venue.sigungu) in areas
