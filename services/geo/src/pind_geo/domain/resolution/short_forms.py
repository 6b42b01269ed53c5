"""Short forms: '해운대' names the place of the video it starts."""

from __future__ import annotations

from dataclasses import replace

from pind_geo.domain.geometry import distance_m
from pind_geo.domain.resolution.model import VENUE_CATEGORIES, Resolution
from pind_geo.domain.romanize import romanize
from pind_geo.domain.text import match_key

_SHORT_FORM_M = 5_000.0
_SHORT_FORM_SCORE = 0.8


def attach_short_forms(resolutions: list[Resolution]) -> list[Resolution]:
    """A short form names the place of the video it starts: '해운대' is the
    beach the video visits (not the district), '홍대' / 'Hongdae' the station
    홍대입구역, '자갈치' the market. Only places found elsewhere in the video.
    A district or city is never a short form of a venue: restaurants take
    their area's name ('동래' is 동래구 in '부산 동래 맛집', not 동래갈비)."""
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
        area = current is not None and current.admin_level in (1, 2)
        if len(key) < (2 if korean else 5):
            attached.append(resolution)
            continue
        matches = [
            place
            for ko_key, en_key, place in names
            if (ko_key if korean else en_key).startswith(key)
            and key != (ko_key if korean else en_key)
            and not (area and place.category in VENUE_CATEGORIES)
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
