"""Resolve candidates with a geocoder, then choose among places that share a
name (13 markets are called 중앙시장) by what else the video names: the
region in its title or location, and the other places it resolved."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import GeocodeQuery, GeocodeResult, PlaceCandidate
from pind_geo.domain.romanize import romanize
from pind_geo.domain.text import match_key

_TIE = 0.02
_OPTION_RANGE = 0.25
_NEAR_M = 3_000.0
_WALK_M = 500.0
"""A walk's next stop: closer than this to one of the video's places."""
_SAME_AREA_M = 25_000.0
_ENOUGH_SUPPORT = 2
_SHORT_FORM_M = 5_000.0
_SHORT_FORM_SCORE = 0.8
_ONE_AREA_M = 100_000.0
_CHAIN_NEAR_M = 1_000.0
"""A chain's branch is chosen by context only when it alone is this close to the video's places."""
_BESIDE_M = 50.0
_ONLINE = frozenset({"kakao", "google"})
_AT_ADDRESS_M = 40.0
"""A venue this close to an address's point is at that address."""
_VENUE_AREA_M = 30_000.0
"""The only venue of a name is still not the video's when it lies this far from its places."""
VENUE_CATEGORIES = frozenset({"restaurant", "cafe", "bar", "lodging"})


class Geocoder(Protocol):
    """Finds the places a name may refer to. Adapters: the offline gazetteer
    now; Kakao Local, Google Places, Nominatim next (all async, all cached)."""

    @property
    def name(self) -> str: ...

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]: ...


@dataclass(frozen=True, slots=True)
class Resolution:
    """A candidate and the place chosen for it, or why there is none."""

    candidate: PlaceCandidate
    result: GeocodeResult | None
    alternatives: int = 0
    """How many places answered to the name (more than one: chosen by context)."""
    reason: str | None = None
    why: str | None = None
    """For a place chosen among several of its name: what chose it ('near
    남포역, 140 m; same name ×9 in 부산')."""


def query_for(candidate: PlaceCandidate) -> GeocodeQuery:
    return GeocodeQuery(
        text=candidate.known_as or candidate.text,
        script="ko" if candidate.known_as else candidate.script,
        category_hint=candidate.category_hint,
        from_ocr=candidate.unit.source in {"ocr", "thumbnail"},
        world=candidate.world,
    )


async def resolve(
    candidates: Sequence[PlaceCandidate], geocoder: Geocoder, *, concurrency: int = 8
) -> list[Resolution]:
    """Geocode each distinct query once, then pick one place per candidate."""
    by_query: dict[GeocodeQuery, list[PlaceCandidate]] = defaultdict(list)
    for candidate in candidates:
        by_query[query_for(candidate)].append(candidate)
    gate = asyncio.Semaphore(concurrency)

    async def ask(query: GeocodeQuery) -> list[GeocodeResult]:
        async with gate:
            return await geocoder.geocode(query)

    # First the in-memory geocoders; then, for names they do not know, the
    # online ones, biased to where the places found so far are.
    queries = list(by_query)
    answers = await asyncio.gather(*(ask(replace(q, offline_only=True)) for q in queries))
    options = {q: _options(a) for q, a in zip(queries, answers, strict=True)}
    unknown = [q for q in queries if not options[q]]
    online = getattr(geocoder, "has_online", False)
    if unknown and online:
        near = centre_of(choose(options).values())
        again = await asyncio.gather(*(ask(replace(q, near=near)) for q in unknown))
        if near is not None:  # the centre may be off (one wrong place): ask unbiased too
            empty = [q for q, a in zip(unknown, again, strict=True) if not a]
            unbiased = await asyncio.gather(*(ask(q) for q in empty))
            again = [
                a or (unbiased[empty.index(q)] if q in empty else a)
                for q, a in zip(unknown, again, strict=True)
            ]
        options.update({q: _options(a) for q, a in zip(unknown, again, strict=True)})
    chosen = choose(options)
    tied = _tied_to_addresses(by_query, options)
    chosen.update(tied)
    if online:
        chosen.update(await _ask_close_by(by_query, options, chosen, ask))
    resolutions: list[Resolution] = []
    for query, group in by_query.items():
        results = options[query]
        pick = chosen.get(query)
        reason = None
        if not results:
            reason = f"no {geocoder.name} place is called {query.text!r}"
        elif pick is None and results[0].chain:
            reason = (
                f"{query.text!r} is a chain ({len(results)} places here) and the video "
                "does not say which branch"
            )
        elif pick is None:
            count = len(_best_tier(results))
            reason = (
                f"{count} places are called {query.text!r} and nothing else in the video "
                "says which one"
            )
        why = None
        if pick is not None and len(results) > 1:
            why = _why(query, pick, results, chosen, query in tied)
        resolutions.extend(Resolution(c, pick, len(results), reason, why) for c in group)
    return attach_short_forms(resolutions)


def _why(
    query: GeocodeQuery,
    pick: GeocodeResult,
    results: list[GeocodeResult],
    chosen: dict[GeocodeQuery, GeocodeResult],
    tied: bool,
) -> str:
    """'near 남포역, 140 m; same name ×9 in 부산': how one of a name's places was chosen."""
    provinces = {r.area.province for r in results if r.area.province}
    where = f" in {next(iter(provinces))}" if len(provinces) == 1 else ""
    shared = f"same name ×{len(results)}{where}"
    if query.category_hint == "other" and any(ch.isdigit() for ch in query.text):
        return f"the one named beside it of {len(results)} venues at this address"
    if tied:
        return f"at the address written beside it; {shared}"
    others = [
        r for q, r in chosen.items() if q != query and r.admin_level in (0, 3) and r.key != pick.key
    ]
    if not others:
        return f"the best match; {shared}"
    nearest = min(others, key=lambda r: distance_m(r.lat, r.lon, pick.lat, pick.lon))
    metres = distance_m(nearest.lat, nearest.lon, pick.lat, pick.lon)
    return f"near {nearest.name}, {metres:,.0f} m; {shared}"


def centre_of(results: Iterable[GeocodeResult]) -> tuple[float, float] | None:
    """The middle of the points of interest found (a proximity bias), if any."""
    points = [(r.lat, r.lon) for r in results if r.admin_level in (0, 3)]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def attach_short_forms(resolutions: list[Resolution]) -> list[Resolution]:
    """A short form names the place of the video it starts: '해운대' is the
    beach the video visits (not the district), '홍대' / 'Hongdae' the station
    홍대입구역, '자갈치' the market. Only places found elsewhere in the video."""
    places = {
        r.result.key: r.result
        for r in resolutions
        if r.result is not None and r.result.admin_level == 0
    }
    if not places:
        return resolutions
    names = [
        (match_key(p.name), match_key(romanize(match_key(p.name))), p) for p in places.values()
    ]
    attached: list[Resolution] = []
    for resolution in resolutions:
        current = resolution.result
        venue = current is not None and current.category in VENUE_CATEGORIES
        if current is not None and current.admin_level in (0, 3) and not venue:
            attached.append(resolution)
            continue
        key = match_key(resolution.candidate.text)
        korean = resolution.candidate.script == "ko"
        if len(key) < (2 if korean else 5):
            attached.append(resolution)
            continue
        matches = [
            place
            for ko_key, en_key, place in names
            if (ko_key if korean else en_key).startswith(key)
            and key != (ko_key if korean else en_key)
            and (
                current is None
                or venue
                or distance_m(current.lat, current.lon, place.lat, place.lon) <= _SHORT_FORM_M
            )
        ]
        if len(matches) == 1:
            short = replace(matches[0], score=_SHORT_FORM_SCORE)
            attached.append(Resolution(resolution.candidate, short))
        else:
            attached.append(resolution)
    return attached


def choose(options: dict[GeocodeQuery, list[GeocodeResult]]) -> dict[GeocodeQuery, GeocodeResult]:
    """One place per query: the only one, the one the rest of the video points
    to (same district or province as a named area, near its other places),
    or else the single best match."""
    # A chain's name without its branch is none of its branches in particular,
    # unless one branch alone is beside the video's other places.
    chains = {q: r for q, r in options.items() if len(r) > 1 and r[0].chain}
    options = {q: r for q, r in options.items() if q not in chains}
    chosen = {q: r[0] for q, r in options.items() if len(r) == 1}
    for _ in range(2):  # a place chosen by context becomes context for the next
        provinces, districts, anchors = _context(chosen.values())
        for query, results in options.items():
            if query in chosen or len(results) < 2:
                continue
            ranked = sorted(
                ((_support(r, provinces, districts, anchors), r) for r in results),
                key=lambda pair: (-pair[0], -pair[1].score),
            )
            if ranked[0][0] >= _ENOUGH_SUPPORT and ranked[0][0] > ranked[1][0]:
                chosen[query] = ranked[0][1]
    _, _, anchors = _context(chosen.values())
    for query, results in options.items():
        best = _best_tier(results)
        one = bool(best) and (len(best) == 1 or _one_of_many(best))
        if query not in chosen and one and not _far_venue(best[0], anchors):
            chosen[query] = best[0]
    for query, results in chains.items():
        if results[0].geocoder in _ONLINE:
            continue  # a page of them, not all: asked again close by (_ask_close_by)
        near = [r for r in results if _nearest(r, anchors) <= _CHAIN_NEAR_M]
        if len(near) == 1:
            chosen[query] = near[0]
    _, _, anchors = _context(chosen.values())
    for query, result in list(chosen.items()):
        others = [a for a in anchors if a != (result.lat, result.lon)]
        if _far_venue(result, others):
            del chosen[query]
    return chosen


def _nearest(result: GeocodeResult, anchors: list[tuple[float, float]]) -> float:
    return min(
        (distance_m(result.lat, result.lon, lat, lon) for lat, lon in anchors),
        default=float("inf"),
    )


def _far_venue(result: GeocodeResult, anchors: list[tuple[float, float]]) -> bool:
    """A venue far from every place the video shows ('작은카페' in another
    district) is a word that happens to be a shop's name."""
    return (
        result.category in VENUE_CATEGORIES
        and bool(anchors)
        and _nearest(result, anchors) > _VENUE_AREA_M
    )


async def _ask_close_by(
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
        if query.category_hint == "other" and query in chosen:
            for candidate in group:
                addresses[id(candidate.unit)].append(chosen[query])
    _, _, anchors = _context(chosen.values())
    centre = _medoid(anchors)
    asks: dict[GeocodeQuery, GeocodeQuery] = {}
    for query, group in by_query.items():
        results = options[query]
        if (query in chosen and not results[0].chain) or len(results) < 2:
            continue
        if results[0].geocoder not in _ONLINE or results[0].category not in VENUE_CATEGORIES:
            continue
        beside = [a for c in group for a in addresses.get(id(c.unit), [])]
        if beside:
            asks[query] = replace(query, near=(beside[0].lat, beside[0].lon), radius_m=_BESIDE_M)
        elif centre is not None:
            asks[query] = replace(query, near=centre, radius_m=_CHAIN_NEAR_M)
    found: dict[GeocodeQuery, GeocodeResult] = {}
    answers = await asyncio.gather(*(ask(q) for q in asks.values()))
    for query, answer in zip(asks, answers, strict=True):
        named = [r for r in _options(answer) if match_key(r.name) == match_key(query.text)]
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


def _tied_to_addresses(
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
                at_address[id(candidate.unit)].update({r.key: r for r in options[query]})
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
                    distance_m(r.lat, r.lon, a.lat, a.lon) <= _AT_ADDRESS_M for a in there.values()
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


def _one_of_many(best: list[GeocodeResult]) -> bool:
    """Equally good places any of which will do: one of the world's many towns
    of a name (the geocoder ranks them by prominence), or a town and the
    province of its name around it (Moscow the city, the federal city and the
    oblast). Places a video may mean (markets, districts) are not guessed."""
    towns = [r for r in best if not r.context]
    if not towns:
        return False
    first = best[0]
    return len(towns) == len(best) or all(
        distance_m(first.lat, first.lon, r.lat, r.lon) <= _ONE_AREA_M for r in best[1:]
    )


def _options(results: list[GeocodeResult]) -> list[GeocodeResult]:
    """Results close enough to the best match to be what the video meant
    ('깡통시장' is exactly another town's market's old name, and the end of
    부평깡통시장's), best first."""
    if not results:
        return []
    ranked = sorted(results, key=lambda r: -r.score)
    kept: list[GeocodeResult] = []
    for r in ranked:
        if r.score < ranked[0].score - _OPTION_RANGE:
            break
        if not any(_same_venue(r, k) for k in kept):
            kept.append(r)
    return kept


def _same_venue(a: GeocodeResult, b: GeocodeResult) -> bool:
    """One venue listed twice ('이월로스터스' and '이월로스터스 성수점' at one point)."""
    if a.category not in VENUE_CATEGORIES or b.category not in VENUE_CATEGORIES:
        return False
    ka, kb = match_key(a.name), match_key(b.name)
    return (ka.startswith(kb) or kb.startswith(ka)) and (
        distance_m(a.lat, a.lon, b.lat, b.lon) <= _AT_ADDRESS_M
    )


def _best_tier(results: list[GeocodeResult]) -> list[GeocodeResult]:
    return [r for r in results if r.score >= results[0].score - _TIE] if results else []


def _context(
    chosen: Iterable[GeocodeResult],
) -> tuple[set[str], set[tuple[str, str]], list[tuple[float, float]]]:
    provinces: set[str] = set()
    districts: set[tuple[str, str]] = set()
    anchors: list[tuple[float, float]] = []
    for result in chosen:
        if not result.context:
            continue
        # Areas count when the video names them ('부산', '마포구', '성수동');
        # where its other places lie counts through distance.
        if result.admin_level and result.area.province:
            provinces.add(result.area.province)
            if result.area.district and result.admin_level > 1:
                districts.add((result.area.province, result.area.district))
        if result.admin_level in (0, 3):
            anchors.append((result.lat, result.lon))
    return provinces, districts, anchors


def _support(
    result: GeocodeResult,
    provinces: set[str],
    districts: set[tuple[str, str]],
    anchors: list[tuple[float, float]],
) -> int:
    score = 0
    province, district = result.area.province, result.area.district
    if province in provinces:
        score += 2
    if province and district and (province, district) in districts:
        score += 2
    if anchors:
        nearest = min(distance_m(result.lat, result.lon, lat, lon) for lat, lon in anchors)
        score += (
            3
            if nearest <= _WALK_M
            else 2
            if nearest <= _NEAR_M
            else 1
            if nearest <= _SAME_AREA_M
            else 0
        )
    return score
