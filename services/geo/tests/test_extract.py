"""`pind-geo extract` over JSON lines."""

from __future__ import annotations

import io
import json

import pytest

from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.extract import BadInputLine, run


def test_extract_lines(place_extractor: PlaceExtractor) -> None:
    lines = [
        json.dumps({"id": 1, "text": "오늘은 광장시장에서 빈대떡 먹고 종로3가역으로 갔어요"}),
        "",
        json.dumps(
            {"id": "b", "text": "From Hongik Univ. Station to Mangwon Market.", "lang": "en"}
        ),
    ]
    out = io.StringIO()
    assert run(place_extractor, lines, out) == 2
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["id"] == 1
    assert [p["name"] for p in first["places"]] == ["광장시장", "종로3가역"]
    market = first["places"][0]
    assert (market["start"], market["end"]) == (4, 8)
    assert market["lat"] == pytest.approx(37.5701, abs=1e-3)
    assert 0 < market["confidence"] <= 1
    assert [p["text"] for p in second["places"]] == ["Hongik Univ. Station", "Mangwon Market"]


def test_bad_line_names_its_number(place_extractor: PlaceExtractor) -> None:
    with pytest.raises(BadInputLine, match="line 2"):
        run(place_extractor, [json.dumps({"text": "서울역"}), "{not json"], io.StringIO())
