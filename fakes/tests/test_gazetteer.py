"""Romanisation and gazetteer search that the fakes answer from."""

from __future__ import annotations

import pytest

from pind_fakes.gazetteer import Gazetteer, PlaceCategory, english_alias
from pind_fakes.romanize import romanize
from pind_fakes.settings import FakesSettings


@pytest.mark.parametrize(
    ("korean", "roman"),
    [
        ("광장", "gwangjang"),
        ("망원", "mangwon"),
        ("국제", "gukje"),
        ("해운대", "haeundae"),
        ("깡통", "kkangtong"),
        ("효창", "hyochang"),
        ("자갈치", "jagalchi"),
        ("음악", "eumak"),
    ],
)
def test_romanize(korean: str, roman: str) -> None:
    assert romanize(korean) == roman


def test_english_alias_names_the_kind_of_place() -> None:
    assert english_alias("망원시장") == "Mangwon Market"
    assert english_alias("해운대해수욕장") == "Haeundae Beach"
    assert english_alias("효창공원") == "Hyochang Park"


@pytest.fixture(scope="module")
def gazetteer(gazetteer_settings: FakesSettings) -> Gazetteer:
    return Gazetteer.load(gazetteer_settings.gazetteer_dir)


def test_reads_every_cp949_file(gazetteer: Gazetteer) -> None:
    categories = {p.category for p in gazetteer.places}
    assert categories == set(PlaceCategory)
    assert len(gazetteer.places) > 20_000
    assert gazetteer.lookup("광장시장").address == "서울특별시 종로구 창경궁로 88"


def test_search_orders_exact_names_first(gazetteer: Gazetteer) -> None:
    assert gazetteer.search("광장시장")[0].place.name == "광장시장"
    assert gazetteer.search("부산 국제시장")[0].place.name == "국제시장"
    assert gazetteer.search("Mangwon Market")[0].place.name == "망원시장"
    assert gazetteer.search("홍대입구")[0].place.category == PlaceCategory.STATION
    assert gazetteer.search("   ") == []


def test_mentions_prefer_the_longest_name(gazetteer: Gazetteer) -> None:
    found = gazetteer.mentions("오늘은 부평깡통시장이랑 해운대해수욕장, then Hyochang Park.")
    assert [m.place.name for m in found] == ["부평깡통시장", "해운대해수욕장", "효창공원"]
    assert found[2].surface == "Hyochang Park"
    assert gazetteer.mentions("parking near the market") == []
