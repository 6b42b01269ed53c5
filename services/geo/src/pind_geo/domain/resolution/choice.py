"""One place per name: the only one, the one the rest of the video points to
(same district or province as a named area, near its other places), or
else the single best match; a chain's name is none of its branches unless
one alone is beside the video's places."""

from __future__ import annotations

from collections.abc import Iterable

from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import GeocodeQuery, GeocodeResult
from pind_geo.domain.resolution.model import VENUE_CATEGORIES
from pind_geo.domain.text import match_key

_TIE = 0.02
_OPTION_RANGE = 0.25
_NEAR_M = 3_000.0
_WALK_M = 500.0
"""A walk's next stop: closer than this to one of the video's places."""
_SAME_AREA_M = 25_000.0
_ENOUGH_SUPPORT = 2
_ONE_AREA_M = 100_000.0
CHAIN_NEAR_M = 1_000.0
"""A chain's branch is chosen by context only when it alone is this close to the video's places."""
ONLINE = frozenset({"kakao", "google"})
AT_ADDRESS_M = 40.0
"""A venue this close to an address's point is at that address."""
_VENUE_AREA_M = 30_000.0
"""The only venue of a name is still not the video's when it lies this far from its places."""


def centre_of(results: Iterable[GeocodeResult]) -> tuple[float, float] | None:
    """The middle of the points of interest found (a proximity bias), if any."""
    points = [(r.lat, r.lon) for r in results if r.admin_level in (0, 3)]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


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
        provinces, districts, anchors = context_of(chosen.values())
        for query, results in options.items():
            if query in chosen or len(results) < 2:
                continue
            ranked = sorted(
                ((_support(r, provinces, districts, anchors), r) for r in results),
                key=lambda pair: (-pair[0], -pair[1].score),
            )
            if ranked[0][0] >= _ENOUGH_SUPPORT and ranked[0][0] > ranked[1][0]:
                chosen[query] = ranked[0][1]
    _, _, anchors = context_of(chosen.values())
    for query, results in options.items():
        best = best_tier(results)
        one = bool(best) and (len(best) == 1 or _one_of_many(best))
        if query not in chosen and one and not _far_venue(best[0], anchors):
            chosen[query] = best[0]
    for query, results in chains.items():
        if results[0].geocoder in ONLINE:
            continue  # a page of them, not all: asked again close by (_ask_close_by)
        near = [r for r in results if nearest_m(r, anchors) <= CHAIN_NEAR_M]
        if len(near) == 1:
            chosen[query] = near[0]
    _, _, anchors = context_of(chosen.values())
    for query, result in list(chosen.items()):
        others = [a for a in anchors if a != (result.lat, result.lon)]
        if _far_venue(result, others):
            del chosen[query]
    return chosen


def nearest_m(result: GeocodeResult, anchors: list[tuple[float, float]]) -> float:
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
        and nearest_m(result, anchors) > _VENUE_AREA_M
    )


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


def options_of(results: list[GeocodeResult]) -> list[GeocodeResult]:
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
        distance_m(a.lat, a.lon, b.lat, b.lon) <= AT_ADDRESS_M
    )


def best_tier(results: list[GeocodeResult]) -> list[GeocodeResult]:
    return [r for r in results if r.score >= results[0].score - _TIE] if results else []


def context_of(
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
