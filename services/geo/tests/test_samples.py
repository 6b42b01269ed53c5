"""The sample vlogs (samples/vlogs/*/): every gold place found within 200 m,
nothing far from them. Inputs are shaped as the upstream events carry them:
metadata from info.json, the manual caption track, and the on-screen text
the vision stage reads (gold.json's on_screen_text, with its times)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pind_contracts.events.video_ingested import Chapter, VideoMetadata
from pind_geo.domain.documents import metadata_units
from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import TextUnit
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.settings import REPO_ROOT

VLOGS = sorted(p for p in (REPO_ROOT / "samples" / "vlogs").glob("*") if (p / "gold.json").exists())
GOLD_RADIUS_M = 200.0
NEARBY_M = 3_000.0  # an extra place further than this from every gold place is wrong


def units_of(folder: Path) -> list[TextUnit]:
    info: dict[str, Any] = json.loads((folder / "info.json").read_text())
    metadata = VideoMetadata(
        title=info["title"],
        description=info.get("description") or "",
        tags=info.get("tags") or [],
        location=info.get("location"),
        language=info.get("language"),
        chapters=[
            Chapter(start_s=c["start_time"], title=c["title"]) for c in info.get("chapters") or []
        ],
        webpage_url=f"https://www.youtube.com/watch?v={folder.name}",
    )
    units = metadata_units(metadata)
    tracks = json.loads((folder / "captions.json").read_text())["tracks"]
    manual = [t for t in tracks if t["kind"] == "manual"]
    if manual:
        units += [
            TextUnit("transcript", s["text"], start_s=s["start"], lang=manual[0]["lang"])
            for s in manual[0]["segments"]
        ]
    gold = json.loads((folder / "gold.json").read_text())
    units += [
        TextUnit("ocr", t["text"], start_s=t["start_s"], lang=t.get("lang"))
        for t in gold.get("on_screen_text", [])
    ]
    return units


@pytest.mark.skipif(not VLOGS, reason="samples/vlogs not generated yet")
@pytest.mark.parametrize("folder", VLOGS, ids=[p.name for p in VLOGS])
async def test_sample_vlog_places(folder: Path, place_extractor: PlaceExtractor) -> None:
    gold = json.loads((folder / "gold.json").read_text())["places"]
    extraction = await place_extractor.resolve_and_fuse(
        place_extractor.find_candidates(units_of(folder))
    )
    found = extraction.places
    for place in gold:
        nearest = min(found, key=lambda p: distance_m(p.lat, p.lon, place["lat"], place["lon"]))
        assert distance_m(nearest.lat, nearest.lon, place["lat"], place["lon"]) <= GOLD_RADIUS_M, (
            f"{place['name']} not found; nearest {nearest.name}"
        )
        assert nearest.confidence >= 0.5 and len(nearest.evidence) >= 2
    for place in found:
        away = min(distance_m(place.lat, place.lon, g["lat"], g["lon"]) for g in gold)
        assert away <= NEARBY_M, f"{place.name} is {away:.0f} m from every gold place"
    assert len(found) <= len(gold) + 1
