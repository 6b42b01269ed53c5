"""Names a food vlog says but does not visit: passed over ('○○ 말고'), not got
into ('○○에 못 들렀어요'), left for another day; food words that
are also some shop's name ('떡볶이에요'); a district that starts a
restaurant's name ('부산 동래 맛집' is not 동래갈비). Unit level on the rules,
then through the whole offline pipeline (the real venue index)."""

from __future__ import annotations

import pytest

from pind_geo.domain.extraction.venues import VenueNameExtractor
from pind_geo.domain.extraction.visit_context import clause_around, not_visited
from pind_geo.domain.model import TextUnit
from pind_geo.domain.pipeline import PlaceExtractor

VENUE = "동래갈비"


def _not_visited(text: str, name: str = VENUE) -> bool:
    start = text.index(name)
    return not_visited(text, start, start + len(name))


@pytest.mark.parametrize(
    "text",
    [
        "동래갈비 말고 거제식당으로 왔어요",
        "이번엔 동래갈비에 못 들렀어요",
        "동래갈비는 다음에 가보려구요",
        "원래 동래갈비 가려고 했는데 문을 닫았더라고요",
        "웨이팅이 길어서 동래갈비는 포기했어요",
        "동래갈비 안 가고 바로 시장 구경했어요",
    ],
)
def test_clauses_that_say_the_place_was_not_visited(text: str) -> None:
    assert _not_visited(text)


@pytest.mark.parametrize(
    "text",
    [
        "오늘은 동래갈비에서 점심 먹었어요",
        "여기가 동래갈비인데 갈비가 유명하대요",  # here: hearsay about the dish
        "동래갈비에서 제일 유명하다고 해서 시켜봤어요",  # hearsay said at the place
        "이제 동래갈비에 갈 거예요",  # a plan for now
        "동래갈비에서 먹었는데 거제식당은 못 갔어요",  # the other clause
        "동래갈비 다음에 거제식당 갔어요",  # 'after', not 'next time'
        "거제식당 말고 동래갈비에 왔어요",
        "동래갈비는 안 가볼 수가 없죠",  # a double negative
        "동래갈비에서 다이어트 포기했어요",  # done there
        "동래갈비 안 가면 후회해요",  # a condition
        "동래갈비 다음에 갈 곳은 거제식당이에요",  # the place after it
    ],
)
def test_clauses_that_say_it_was_visited(text: str) -> None:
    assert not _not_visited(text)


def test_a_clause_ends_at_the_sentence_and_at_a_joined_clause() -> None:
    text = "동래갈비에서 먹었는데 거제식당은 못 갔어요. 다음에 또 올게요"
    assert clause_around(text, 0, 4) == ("", "에서 먹었는데 ")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("떡볶이에요 진짜 맛있어요", []),
        ("해장국에서 국물이 시원해요", []),
        ("여기가 떡볶이에요", ["떡볶이"]),  # the shop of that name, pointed at
        ("동래갈비 말고 거제식당에 왔어요", ["거제식당"]),
    ],
)
def test_food_words_and_skipped_names_are_no_candidates(text: str, found: list[str]) -> None:
    extractor = VenueNameExtractor(frozenset({"떡볶이", "해장국", "동래갈비", "거제식당"}))
    assert [c.text for c in extractor.extract([TextUnit("transcript", text)])] == found


async def _venues(extractor: PlaceExtractor, line: str) -> list[str]:
    units = [
        TextUnit("title", "부산 동래 온천장 맛집 투어 브이로그"),
        TextUnit("transcript", line, start_s=3.0),
    ]
    extraction = await extractor.extract(units)
    return [p.name for p in extraction.places if p.category in {"restaurant", "cafe", "bar"}]


@pytest.mark.parametrize(
    ("line", "venues"),
    [
        ("오늘은 동래갈비에서 점심 먹었어요", ["동래갈비"]),
        # found by the other extractors too: dropped after resolution
        ("동래갈비는 다음에 가보려구요", []),
        ("이번엔 동래갈비에 못 들렀어요", []),
        ("동래갈비 말고 거제식당으로 왔어요", ["거제식당"]),
        ("떡볶이에요 진짜 맛있어요", []),
    ],
)
async def test_only_visited_venues_are_placed(
    place_extractor: PlaceExtractor, line: str, venues: list[str]
) -> None:
    assert await _venues(place_extractor, line) == venues
