"""Shared fixtures: the real offline gazetteer and extractors, built once."""

from __future__ import annotations

import pytest

from pind_geo.app import build_place_extractor
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.settings import DEFAULT_GAZETTEER_DIR


@pytest.fixture(scope="session")
def place_extractor() -> PlaceExtractor:
    """Index + kiwi from the public data beside the checkout (≈ 8 s, once)."""
    return build_place_extractor(DEFAULT_GAZETTEER_DIR, world_min_population=15000)
