"""Addresses tie names to venues: a name written beside an address is the
venue of that name there; an online geocoder's page of a shared name is
asked again close to the address (or to the video's places)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import replace

from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import GeocodeQuery, GeocodeResult, PlaceCandidate
from pind_geo.domain.resolution.choice import (
    AT_ADDRESS_M,
    CHAIN_NEAR_M,
    ONLINE,
    context_of,
    options_of,
)
from pind_geo.domain.resolution.model import VENUE_CATEGORIES
from pind_geo.domain.text import match_key

_BESIDE_M = 50.0


async def ask_close_by(
    by_query: dict[GeocodeQuery, list[PlaceCandidate]],
    options: dict[GeocodeQuery, list[GeocodeResult]],
    chosen: dict[GeocodeQuery, GeocodeResult],
    ask: Callable[[GeocodeQuery], Awaitable[list[GeocodeResult]]],
) -> dict[GeocodeQuery, GeocodeResult]:
    """An online geocoder answers a shared name with a page of its venues
    nationwide, not all of them: ask again, by distance, close to the address
    written beside the name (within 50 m) or to the video's places (1 km); the
    one venue of that name there is it."""
    addresses: dict[int, list[GeocodeResult]] = defaultdict(list)
    for query, group in by_query.items():
        # An address placed at its 행정동's point has no venue beside it.
        if (
            query.category_hint == "other"
            and query in chosen
            and not chosen[query].admin_level
            and chosen[query].radius_m is None  # a road is no point to ask near
        ):
            for candidate in group:
                addresses[id(candidate.unit)].append(chosen[query])
    _, _, anchors = context_of(chosen.values())
    centre = _medoid(anchors)
    asks: dict[GeocodeQuery, GeocodeQuery] = {}
    for query, group in by_query.items():
        results = options[query]
        if (query in chosen and not results[0].chain) or len(results) < 2:
            continue
        if results[0].geocoder not in ONLINE or results[0].category not in VENUE_CATEGORIES:
            continue
        beside = [a for c in group for a in addresses.get(id(c.unit), [])]
        if beside:
            asks[query] = replace(query, near=(beside[0].lat, beside[0].lon), radius_m=_BESIDE_M)
        elif centre is not None:
            asks[query] = replace(query, near=centre, radius_m=CHAIN_NEAR_M)
    found: dict[GeocodeQuery, GeocodeResult] = {}
    answers = await asyncio.gather(*(ask(q) for q in asks.values()))
    for query, answer in zip(asks, answers, strict=True):
        named = [r for r in options_of(answer) if match_key(r.name) == match_key(query.text)]
        if len(named) == 1:
            found[query] = replace(named[0], chain=False)
        elif query in chosen:
            found[query] = chosen[query]
    return found


def _medoid(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """The point nearest the others (unlike the mean, not dragged by one stray place)."""
    if not points:
        return None
    return min(points, key=lambda p: sum(distance_m(p[0], p[1], q[0], q[1]) for q in points))


def tied_to_addresses(
    by_query: dict[GeocodeQuery, list[PlaceCandidate]],
    options: dict[GeocodeQuery, list[GeocodeResult]],
) -> dict[GeocodeQuery, GeocodeResult]:
    """A name written beside an address ('📍 진주식당: 부산 중구 자갈치로 26')
    is the venue of that name at that address; the address alone is its
    venue when that name says which of the venues there it is."""
    at_address: dict[int, dict[str, GeocodeResult]] = defaultdict(dict)
    for query, group in by_query.items():
        if query.category_hint == "other" and any(ch.isdigit() for ch in query.text):
            for candidate in group:
                at_address[id(candidate.unit)].update(
                    {r.key: r for r in options[query] if not r.admin_level and r.radius_m is None}
                )
    tied: dict[GeocodeQuery, GeocodeResult] = {}
    if not at_address:
        return tied
    for query, group in by_query.items():
        results = options[query]
        for candidate in group:
            there = at_address.get(id(candidate.unit), {})
            same = [
                r
                for r in results
                if r.key in there
                or any(
                    distance_m(r.lat, r.lon, a.lat, a.lon) <= AT_ADDRESS_M for a in there.values()
                )
            ]
            same = [r for r in same if r.key not in there or r.category != "other"]
            if len(same) == 1 and (len(results) > 1 or len(there) > 1):
                tied[query] = same[0]
    for query in by_query:
        if query.category_hint == "other" and len(options[query]) > 1:
            keys = {r.key for r in options[query]}
            named = {r.key: r for q, r in tied.items() if r.key in keys and q != query}
            if len(named) == 1:
                tied[query] = next(iter(named.values()))
    return tied
