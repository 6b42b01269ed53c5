"""A place written after the areas it is in is one mention ('일본 나리타공항'),
placed at its most specific part; two areas of one level stay two."""

from __future__ import annotations

from pind_geo.domain.mentions import Mention, join_area_chains


def spans(text: str, *parts: tuple[str, int | None]) -> list[tuple[str, str]]:
    mentions = []
    for word, level in parts:
        start = text.index(word)
        mentions.append(Mention(start, start + len(word), level, word))
    return [(text[m.start : m.end], m.payload) for m in join_area_chains(text, mentions)]


def test_an_area_and_the_place_in_it_are_one_mention_placed_at_the_place() -> None:
    text = "17일 새벽 일본 나리타공항에 비상 착륙했다."
    assert spans(text, ("일본", 1), ("나리타공항", 0)) == [("일본 나리타공항", "나리타공항")]


def test_a_chain_of_narrowing_areas_and_an_unplaced_name_keeps_the_area() -> None:
    text = "서울 송파구 롯데월드타워에서 쇼가 열렸다"
    got = spans(text, ("서울", 1), ("송파구", 2), ("롯데월드타워", None))
    assert got == [("서울 송파구 롯데월드타워", "송파구")]


def test_areas_of_one_level_a_comma_or_an_unplaced_first_name_stay_apart() -> None:
    assert len(spans("서울 부산 대구를 돈다", ("서울", 1), ("부산", 1), ("대구", 1))) == 3
    assert len(spans("평양, 청진에 설치", ("평양", 2), ("청진", 2))) == 2
    assert len(spans("유오성 서울 공연", ("유오성", None), ("서울", 1))) == 2
    assert len(spans("나리타공항 일본 노선", ("나리타공항", 0), ("일본", 1))) == 2
