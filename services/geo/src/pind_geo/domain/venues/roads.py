"""Roads by name, from the addresses the repository's data carries. Pure: no I/O.

A description may name a road without a building number ('서울 종로구
창경궁로'): no building, but a street one can walk. Every road address of
the venue data and of the public place lists (markets, parks, stations,
sights: '서울특별시 종로구 창경궁로 88') puts a point on its road; a road
named with its district is placed at the point of its road nearest the
others (the medoid), with a radius that holds all of them — at least
``MIN_RADIUS_M``, since a few addresses do not show how far a road runs.

A road name alone ('창경궁로') is no answer: roads of one name lie in many
districts (a '중앙로' in most cities). Nothing here is read from outside
the repository."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pind_geo.domain.geometry import distance_m
from pind_geo.domain.text import match_key

_ROAD_NUMBER = re.compile(r"([가-힣][가-힣0-9]*(?:로|길))\s*\d")
MIN_RADIUS_M = 500.0
"""A road known by one or two addresses still runs on past them."""
_MAX_POINTS = 64
"""Points kept per road (evenly spread): enough for a medoid, cheap to build."""


@dataclass(frozen=True, slots=True)
class RoadPoint:
    """Where a named road is: a point on it, and how far it runs from there."""

    name: str
    province: str
    district: str
    lat: float
    lon: float
    radius_m: float
    addresses: int
    """How many addresses of the data lie on it (in that district)."""


class RoadBook:
    """Roads by (province short form, district, road name). ``addresses``
    yields (province, district, address, lat, lon) of every addressed place."""

    def __init__(self, addresses: Iterable[tuple[str, str, str, float, float]]) -> None:
        points: dict[tuple[str, str, str], set[tuple[float, float]]] = defaultdict(set)
        for province, district, address, lat, lon in addresses:
            numbered = _ROAD_NUMBER.search(address)
            if province and district and numbered:
                points[(province, match_key(district), numbered.group(1))].add(
                    (round(lat, 5), round(lon, 5))
                )
        self._roads = {key: sorted(found) for key, found in points.items()}
        self._districts: dict[tuple[str, str], list[str]] = defaultdict(list)
        for province, district, road in self._roads:
            self._districts[(province, road)].append(district)

    def __len__(self) -> int:
        return len(self._roads)

    def names(self) -> frozenset[str]:
        """Every road name the data holds ('창경궁로', '자하문로15길')."""
        return frozenset(road for _, road in self._districts)

    def find(self, road: str, areas: Iterable[tuple[str, str]]) -> RoadPoint | None:
        """The road ``road`` in the one of ``areas`` ((province, district)
        pairs; district '' for the whole province) that has it; None when
        no area or more than one has a road of that name."""
        found: set[tuple[str, str]] = set()
        for province, district in areas:
            for known in self._districts.get((province, road), ()):
                if not district or _same_district(known, match_key(district)):
                    found.add((province, known))
        if len(found) != 1:
            return None
        province, district = next(iter(found))
        return self._point(road, province, district)

    def _point(self, road: str, province: str, district: str) -> RoadPoint:
        points = self._roads[(province, district, road)]
        step = max(1, len(points) // _MAX_POINTS)
        sample = points[::step]
        centre = min(sample, key=lambda p: sum(distance_m(p[0], p[1], q[0], q[1]) for q in sample))
        spread = max(distance_m(centre[0], centre[1], q[0], q[1]) for q in points)
        return RoadPoint(
            name=road,
            province=province,
            district=district,
            lat=centre[0],
            lon=centre[1],
            radius_m=max(MIN_RADIUS_M, round(spread)),
            addresses=len(points),
        )


def _same_district(known: str, named: str) -> bool:
    """'고양시덕양구' is named '덕양구' or '고양시'; '종로구' is '종로구'."""
    return known == named or known.startswith(named) or known.endswith(named)
