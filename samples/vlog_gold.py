"""The gold answers of a sample vlog (``gold.json``): its places with the
gazetteer's coordinates, its venues as rows of the venue index, the on-screen
text with times, and what a perfect pipeline reports as not placed. Used by
make_vlogs.py and make_long_vlog.py."""

from __future__ import annotations

from vlog_specs import GoldVenue, Vlog

from pind_fakes.gazetteer import Gazetteer, haversine_m, normalise
from pind_fakes.venues import Venue, VenueDirectory

_SAME_VENUE_M = 30.0
"""Rows of one name this close are one venue listed by two source files."""


def venue_row(gold: GoldVenue, venues: VenueDirectory) -> Venue:
    """The one row of the venue index ``gold`` names; ValueError when none or
    several distinct venues match (the spec must say which)."""
    rows = [
        v
        for v in venues.venues
        if normalise(v.name + v.branch) == normalise(gold.name + gold.branch)
        and v.sigungu == gold.sigungu
        and v.dong == gold.dong
        and (gold.road is None or v.road_address.endswith(gold.road))
    ]
    if not rows:
        raise ValueError(f"no venue row for {gold}")
    first = rows[0]
    if any(haversine_m(first.lat, first.lon, r.lat, r.lon) > _SAME_VENUE_M for r in rows[1:]):
        raise ValueError(f"several venues match {gold}: {[r.road_address for r in rows]}")
    return first


def build_venues(vlog: Vlog, venues: VenueDirectory) -> list[dict[str, object]]:
    out = []
    for gold in vlog.venues:
        row = venue_row(gold, venues)
        same_name = sum(1 for v in venues.venues if normalise(v.name) == normalise(row.name))
        out.append(
            {
                "name": row.place_name,
                "aliases": list(gold.aliases),
                "category": {"CE7": "cafe", "AD5": "lodging"}.get(row.group, "restaurant"),
                "lat": row.lat,
                "lon": row.lon,
                "address": row.road_address or row.lot_address or row.area,
                "venue_key": row.key,
                "same_name": same_name,
                "evidence": list(gold.evidence),
                "first_seen_s": gold.first_seen_s,
                "case": gold.how,
            }
        )
    return out


def build_gold(
    vlog: Vlog, gazetteer: Gazetteer, venues: VenueDirectory | None = None
) -> dict[str, object]:
    places = []
    for gold in vlog.places:
        place = gazetteer.lookup(gold.name, gold.category, gold.detail)
        places.append(
            {
                "name": gold.name,
                "name_en": gold.name_en or place.name_en,
                "aliases": list(gold.aliases),
                "category": gold.category.value,
                "lat": place.lat,
                "lon": place.lon,
                "address": place.address,
                "gazetteer_key": place.key,
                "evidence": list(gold.evidence),
                "first_seen_s": gold.first_seen_s,
            }
        )
    on_screen = []
    start = 0.0
    for scene in vlog.scenes:
        end = start + scene.duration
        for text, lang, _ in scene.sign.lines:
            on_screen.append(
                {"text": text, "start_s": start, "end_s": end, "lang": lang, "kind": "sign"}
            )
        if scene.subtitle:
            on_screen.append(
                {
                    "text": scene.subtitle[0],
                    "start_s": start,
                    "end_s": end,
                    "lang": scene.subtitle[1],
                    "kind": "subtitle",
                }
            )
        start = end
    food: dict[str, object] = {}
    if vlog.venues:
        if venues is None:
            raise ValueError(f"{vlog.video_id} has venues: the venue index is needed")
        food["venues"] = build_venues(vlog, venues)
        food["not_visits"] = [vars(n) for n in vlog.not_visits]
        food["held_out"] = vlog.held_out
        if vlog.held_out:
            food["held_out_round"] = vlog.held_out_round
    if vlog.speech:
        food["speech"] = [{"start_s": s.start, "dur_s": s.dur, "text": s.text} for s in vlog.speech]
    return {
        "video_id": vlog.video_id,
        "places": places,
        **food,
        "on_screen_text": on_screen,
        "thumbnail_text": list(vlog.thumbnail_text),
        "mentioned_but_not_in_gazetteer": list(vlog.not_resolvable),
        "caption_tracks": [f"{t.lang}:{t.kind}" for t in vlog.tracks],
    }
