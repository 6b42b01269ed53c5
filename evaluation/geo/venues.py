"""The venue table of `make eval`: the food sample vlogs (gold.json with
``venues``) through the worker's pipeline, once per geocoder configuration.

- A found venue is a place of a venue category (restaurant, cafe, bar,
  lodging); it is a gold venue when its name is the gold name (or an alias),
  with or without branch, or when it lies within 100 m of it; one-to-one.
- P = found venues that are gold venues; R = gold venues found; within 100 m
  and 1 km: shares of the matched ones by distance to the gold row's point.
- Ambiguous: names reported unresolved because several venues share them
  (the 'ambiguous' column counts them; 'amb ok' those the gold expects to be).
- Distractors: a not-a-visit name of the gold (a dish named after a city, a
  chain without branch, a foreign place) that became a place of any category.
- Held out: vlogs marked ``held_out`` were written before tuning and are kept
  out of it; their rows are printed apart from the tuning rows, one per
  ``held_out_round`` (2: a pair written later, before any figure on it was
  seen), and their misses are never listed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from evaluation.geo.venue_configs import Configuration
from pind_contracts.events.places_extracted import Place, UnresolvedPlace
from pind_geo.domain.geometry import distance_m
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.domain.text import match_key
from services.geo.tools.samples import sample_vlogs, vlog_units

VENUE_CATEGORIES = frozenset({"restaurant", "cafe", "bar", "lodging"})
NEAR_M = 100.0
AREA_M = 1_000.0


@dataclass
class VenueCounts:
    vlogs: int = 0
    gold: int = 0
    found: int = 0
    matched: int = 0
    within_100m: int = 0
    within_1km: int = 0
    ambiguous: int = 0
    ambiguous_expected: int = 0
    distractors: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, other: VenueCounts) -> None:
        for name in (
            "vlogs",
            "gold",
            "found",
            "matched",
            "within_100m",
            "within_1km",
            "ambiguous",
            "ambiguous_expected",
            "distractors",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.misses += other.misses
        self.wrong += other.wrong


def food_vlogs() -> list[Path]:
    return [f for f in sample_vlogs() if "venues" in json.loads((f / "gold.json").read_text())]


async def score_vlog(extractor: PlaceExtractor, folder: Path) -> VenueCounts:
    gold = json.loads((folder / "gold.json").read_text())
    started = time.perf_counter()
    extraction = await extractor.extract(vlog_units(folder))
    counts = VenueCounts(vlogs=1, seconds=time.perf_counter() - started)
    venues: list[dict[str, Any]] = gold["venues"]
    found = [p for p in extraction.places if p.category in VENUE_CATEGORIES]
    counts.gold, counts.found = len(venues), len(found)
    taken: set[int] = set()
    for place in found:
        match = next((i for i, g in enumerate(venues) if i not in taken and _same(place, g)), None)
        if match is None:
            counts.wrong.append(f"{folder.name}: {place.name} ({place.address})")
            continue
        taken.add(match)
        metres = distance_m(place.lat, place.lon, venues[match]["lat"], venues[match]["lon"])
        counts.within_100m += metres <= NEAR_M
        counts.within_1km += metres <= AREA_M
        if metres > NEAR_M:
            counts.wrong.append(f"{folder.name}: {place.name} is {metres:.0f} m from the gold")
    counts.matched = len(taken)
    counts.misses += [f"{folder.name}: {g['name']}" for i, g in enumerate(venues) if i not in taken]
    not_visits: list[dict[str, Any]] = gold.get("not_visits", [])
    expected = {match_key(n["text"]) for n in not_visits if n["ambiguous"]}
    shared = [u for u in extraction.unresolved if _shared_name(u)]
    counts.ambiguous = len(shared)
    counts.ambiguous_expected = sum(1 for u in shared if match_key(u.name) in expected)
    distractors = [match_key(n["text"]) for n in not_visits if not n["ambiguous"]]
    matched_places = {
        id(p)
        for p in found
        if not any(w.startswith(f"{folder.name}: {p.name} (") for w in counts.wrong)
    }
    placed = [
        p
        for p in extraction.places
        if id(p) not in matched_places and any(_said_as(p, d) for d in distractors)
    ]
    counts.distractors = len(placed)
    counts.wrong += [f"{folder.name}: distractor placed: {p.name}" for p in placed]
    return counts


def _same(place: Place, gold: dict[str, Any]) -> bool:
    names = [match_key(n) for n in (gold["name"], *gold["aliases"])]
    key = match_key(place.name)
    return any(key == n or key.startswith(n) or n.startswith(key) for n in names) or (
        distance_m(place.lat, place.lon, gold["lat"], gold["lon"]) <= NEAR_M
    )


def _shared_name(unresolved: UnresolvedPlace) -> bool:
    return "places are called" in unresolved.reason


def _said_as(place: Place, distractor: str) -> bool:
    """The place was made of the distractor's words (its evidence quotes them
    and the place's own name is in them)."""
    key = match_key(place.name)
    head = key[:-1] if place.category in {"city", "region", "neighbourhood"} else key
    return any(
        distractor in match_key(e.text)
        and (key in distractor or distractor in key or distractor.startswith(head))
        for e in place.evidence
    )


_GROUPS = ((0, ""), (1, ", held out"), (2, ", held out 2"))
"""Tuning vlogs, the held-out pair, the later held-out pair (``held_out_round`` 2)."""


def _group(gold: dict[str, Any]) -> int:
    if not gold.get("held_out", False):
        return 0
    return int(gold.get("held_out_round", 1))


def run_venues(configurations: Iterable[Configuration]) -> list[tuple[str, VenueCounts]]:
    """(label, counts) per configuration: the tuning vlogs, then the held-out ones."""
    rows: list[tuple[str, VenueCounts]] = []
    for label, make in configurations:
        rows += asyncio.run(_run_configuration(label, make))
    return rows


async def _run_configuration(
    label: str, make: Callable[[httpx.AsyncClient], PlaceExtractor]
) -> list[tuple[str, VenueCounts]]:
    folders = food_vlogs()
    rows: list[tuple[str, VenueCounts]] = []
    async with httpx.AsyncClient(timeout=10.0) as client:
        extractor = make(client)
        for group, suffix in _GROUPS:
            total = VenueCounts()
            for folder in folders:
                gold = json.loads((folder / "gold.json").read_text())
                if _group(gold) == group:
                    total.add(await score_vlog(extractor, folder))
            if total.vlogs:
                rows.append((f"{label}{suffix}", total))
    return rows


def render_venues(rows: list[tuple[str, VenueCounts]], *, details: bool = False) -> str:
    head = (
        "venues (food vlogs)",
        "vlogs",
        "gold",
        "found",
        "P",
        "R",
        "≤100 m",
        "≤1 km",
        "ambiguous",
        "amb ok",
        "distractors",
        "s/vlog",
    )
    lines = []
    for label, c in rows:
        lines.append(
            (
                label,
                str(c.vlogs),
                str(c.gold),
                str(c.found),
                _ratio(c.matched, c.found),
                _ratio(c.matched, c.gold),
                _ratio(c.within_100m, c.matched),
                _ratio(c.within_1km, c.matched),
                str(c.ambiguous),
                str(c.ambiguous_expected),
                str(c.distractors),
                f"{c.seconds / c.vlogs:.1f}" if c.vlogs else "-",
            )
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    out = [
        " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)),
        "-|-".join("-" * w for w in widths),
        *(" | ".join(x.ljust(w) for x, w in zip(line, widths, strict=True)) for line in lines),
        "Venues: P = found restaurants/cafes/bars/lodgings that are gold venues (name or "
        "≤ 100 m), R = gold venues found; ≤100 m / ≤1 km over the matched; ambiguous = names "
        "reported unresolved as shared by several venues (amb ok: ones the gold expects); "
        "distractors = dishes, chains without branch, foreign places that became places.",
    ]
    if details:  # not for held-out rows: looking at those would be tuning on them
        for label, c in rows:
            if "held out" in label:
                continue
            out += [f"{label} missed: {m}" for m in c.misses]
            out += [f"{label} not gold: {w}" for w in c.wrong]
    return "\n".join(out) + "\n"


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "-"
