"""Candidates out of text: Korean (kiwi) and English."""

from __future__ import annotations

import pytest

from pind_geo.domain.extraction.english import EnglishCandidateExtractor
from pind_geo.domain.extraction.korean import KiwiCandidateExtractor
from pind_geo.domain.model import PlaceCandidate, TextUnit


@pytest.fixture(scope="module")
def korean() -> KiwiCandidateExtractor:
    return KiwiCandidateExtractor()


def texts(found: list[PlaceCandidate]) -> list[str]:
    return [c.text for c in found]


def test_proper_nouns_and_place_suffixes(korean: KiwiCandidateExtractor) -> None:
    unit = TextUnit("transcript", "오늘은 광장시장에 왔어요! 종로3가역에서 내렸어요.", start_s=5.0)
    found = korean.extract([unit])
    assert texts(found) == ["광장시장", "종로3가역"]
    market = found[0]
    assert (market.start, market.end) == (4, 8)
    assert unit.text[market.start : market.end] == "광장시장"
    assert market.category_hint == "market" and market.place_cue
    assert found[1].category_hint == "station"
    assert market.sentence == "오늘은 광장시장에 왔어요!"


def test_a_common_noun_before_a_suffix_counts_only_for_strong_suffixes(
    korean: KiwiCandidateExtractor,
) -> None:
    found = korean.extract(
        [TextUnit("transcript", "통인시장 가고 전통시장 구경하고 회사 가구 사요")]
    )
    assert texts(found) == ["통인시장"]


def test_a_suffix_written_apart_joins_its_name_but_not_after_a_neighbourhood(
    korean: KiwiCandidateExtractor,
) -> None:
    assert texts(korean.extract([TextUnit("title", "부산 자갈치 시장 회 먹방")])) == [
        "부산",
        "자갈치 시장",
    ]
    assert "남포동 시장" not in texts(korean.extract([TextUnit("title", "남포동 시장 한 바퀴")]))
    assert texts(korean.extract([TextUnit("title", "성수동 카페 투어")])) == ["성수동"]


def test_ocr_spacing(korean: KiwiCandidateExtractor) -> None:
    unit = TextUnit("ocr", "광 장 시 장", start_s=190.0)
    (found,) = korean.extract([unit])
    assert found.text == "광장시장"
    assert (found.start, found.end) == (0, len(unit.text))


def test_hashtags_and_addresses(korean: KiwiCandidateExtractor) -> None:
    found = korean.extract([TextUnit("description", "#망원시장 #먹방 서울 종로구 자하문로15길 18")])
    assert "망원시장" in texts(found)
    assert not any("자하문로" in t for t in texts(found))


def test_not_places(korean: KiwiCandidateExtractor) -> None:
    found = korean.extract([TextUnit("transcript", "유튜브에서 봤던 빈대떡이 진짜 맛있어요")])
    assert found == []


def test_english_capitalised_phrases() -> None:
    extractor = EnglishCandidateExtractor()
    found = extractor.extract(
        [
            TextUnit(
                "transcript", "Today we visit Seoul Gwangjang Market, then Hongik Univ. Station."
            )
        ]
    )
    assert texts(found) == ["Seoul", "Gwangjang Market", "Hongik Univ. Station"]
    assert [c.category_hint for c in found] == [None, "market", "station"]


def test_english_lowercase_place_word_and_known_names() -> None:
    extractor = EnglishCandidateExtractor(known_names=["mangwon market"])
    found = extractor.extract(
        [
            TextUnit(
                "transcript", "we got off at Hongik University station and walked to mangwon market"
            )
        ]
    )
    assert texts(found) == ["Hongik University station", "mangwon market"]
    tags = extractor.extract([TextUnit("description", "#seoul #mangwonmarket #streetfood")])
    assert texts(tags) == ["mangwonmarket"]


def test_english_drops_grammar_capitals() -> None:
    found = EnglishCandidateExtractor().extract([TextUnit("title", "Best Korean BBQ | VLOG")])
    assert found == []
