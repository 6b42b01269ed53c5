"""What the fake geocoders share: the app keys of the gazetteer, the venue index
and Nominatim's rate limiter, JSON answers, and the search behind Kakao's and
Google's answers (a region word split off as Kakao does; gazetteer places and
venues found together, ranked by match, prominence and distance)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from pind_fakes.gazetteer import Gazetteer, GazetteerPlace, PlaceCategory, haversine_m, normalise
from pind_fakes.venues import Venue, VenueDirectory, VenueMatch, short_sido


class RateLimiter:
    """At most one request per ``interval_s`` per client key; the clock is injectable."""

    def __init__(self, interval_s: float, clock: Callable[[], float]) -> None:
        self._interval = interval_s
        self._clock = clock
        self._last: dict[str, float] = {}

    def allow(self, client: str) -> bool:
        now = self._clock()
        last = self._last.get(client)
        if last is not None and now - last < self._interval:
            return False
        self._last[client] = now
        return True


GAZETTEER = web.AppKey("gazetteer", Gazetteer)
VENUES = web.AppKey("venues", VenueDirectory)
NOMINATIM_LIMITER = web.AppKey("nominatim_limiter", RateLimiter)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def float_param(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class Found:
    """A gazetteer place or a venue that answers a query, with what ranks it."""

    score: float
    prominence: float
    distance_m: float | None
    lat: float
    lon: float
    place: GazetteerPlace | None = None
    venue: Venue | None = None


@dataclass(frozen=True, slots=True)
class RegionQuery:
    """A query split as Kakao does: '부산 진주집' → region 부산광역시, keyword 진주집."""

    keyword: str
    regions: list[str]
    selected: str


def split_region(query: str, venues: VenueDirectory) -> RegionQuery:
    words = query.split()
    if len(words) > 1:
        for i, word in enumerate(words):
            regions = venues.regions(word)
            if regions:
                keyword = " ".join(words[:i] + words[i + 1 :])
                counts = {r: len(venues.search(keyword, region=r)) for r in regions}
                selected = max(regions, key=lambda r: (counts[r], -regions.index(r)))
                return RegionQuery(keyword, regions, selected)
    return RegionQuery(query, [], "")


def _in_region(address: str, region: str) -> bool:
    words = {normalise(w) for w in address.split()}
    words |= {normalise(short_sido(w)) for w in address.split()[:1]}
    return all(normalise(w) in words or normalise(short_sido(w)) in words for w in region.split())


def places_and_venues(
    request: web.Request,
    keyword: str,
    *,
    region: str,
    near: tuple[float, float] | None,
    categories: tuple[PlaceCategory, ...] | None,
    groups: tuple[str, ...] | None,
) -> list[Found]:
    """Gazetteer places and venues the keyword names, in the region; a venue
    that is a gazetteer place too (a landmark in both) once."""
    places = [
        m
        for m in request.app[GAZETTEER].search(keyword, categories=categories, near=near)
        if not region or _in_region(m.place.address, region)
    ]
    found = [
        Found(m.score, m.place.prominence, m.distance_m, m.place.lat, m.place.lon, place=m.place)
        for m in places
    ]
    for match in request.app[VENUES].search(
        keyword, groups=groups, region=region or None, near=near
    ):
        venue = match.venue
        if venue.group == "AT4" and any(
            normalise(p.place.name) == normalise(venue.name)
            and haversine_m(p.place.lat, p.place.lon, venue.lat, venue.lon) < 1000
            for p in places
        ):
            continue
        found.append(_venue_found(match))
    return found


def _venue_found(match: VenueMatch) -> Found:
    venue = match.venue
    # Venues rank below public places of the same match quality (a market
    # before the restaurant named after it), by the service's own popularity.
    return Found(
        match.score,
        0.5 * venue.prominence,
        match.distance_m,
        venue.lat,
        venue.lon,
        venue=venue,
    )
