"""Geocode each distinct query once (the in-memory geocoders first, then the
online ones for what they do not know, biased to the places found so far),
then pick one place per candidate and say why."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import GeocodeQuery, GeocodeResult, PlaceCandidate
from pind_geo.domain.resolution.addresses import ask_close_by, tied_to_addresses
from pind_geo.domain.resolution.choice import best_tier, centre_of, choose, options_of
from pind_geo.domain.resolution.model import Geocoder, Resolution
from pind_geo.domain.resolution.short_forms import attach_short_forms


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
    options = {q: options_of(a) for q, a in zip(queries, answers, strict=True)}
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
        options.update({q: options_of(a) for q, a in zip(unknown, again, strict=True)})
    chosen = choose(options)
    tied = tied_to_addresses(by_query, options)
    chosen.update(tied)
    if online:
        chosen.update(await ask_close_by(by_query, options, chosen, ask))
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
            count = len(best_tier(results))
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
