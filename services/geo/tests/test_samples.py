"""The sample vlogs (samples/vlogs/*/): every gold place found within 200 m,
nothing far from them. Inputs are what `make eval` gives the pipeline
(``services.geo.tools.samples.vlog_units``): metadata from info.json, the manual
caption track, and gold.json's on-screen text standing in for OCR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pind_geo.domain.geometry import distance_m
from pind_geo.domain.pipeline import PlaceExtractor
from services.geo.tools.samples import GOLD_RADIUS_M, VLOGS_DIR, sample_vlogs, vlog_units

VLOGS = sample_vlogs()
# The food vlogs (gold venues) are scored in test_food_samples.py.
PLACE_VLOGS = [p for p in VLOGS if "venues" not in json.loads((p / "gold.json").read_text())]
NEARBY_M = 3_000.0  # an extra place further than this from every gold place is wrong


def test_the_sample_vlogs_are_there() -> None:
    assert len(VLOGS) >= 5, f"expected the committed sample vlogs in {VLOGS_DIR}"


@pytest.mark.parametrize("folder", PLACE_VLOGS, ids=[p.name for p in PLACE_VLOGS])
async def test_sample_vlog_places(folder: Path, place_extractor: PlaceExtractor) -> None:
    gold = json.loads((folder / "gold.json").read_text())["places"]
    extraction = await place_extractor.resolve_and_fuse(
        place_extractor.find_candidates(vlog_units(folder))
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
