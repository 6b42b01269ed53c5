"""Particles glued to a place name are not part of it ('회백반부터' in the
Busan food vlog's title was a candidate of its own)."""

from __future__ import annotations

import pytest

from pind_geo.domain.extraction.korean_tagger import Morpheme
from pind_geo.domain.extraction.particles import particle_free_end, strip_particles
from pind_geo.domain.model import TextUnit
from pind_geo.domain.pipeline import PlaceExtractor


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("회백반부터", "회백반"),
        ("해운대에서부터", "해운대"),
        ("광안리까지는", "광안리"),
        ("서면으로", "서면"),
        ("전포카페거리에는", "전포카페거리"),
        # One-syllable endings are real names' endings: left to kiwi.
        ("한강로", "한강로"),
        ("제주도", "제주도"),
        ("해운대", "해운대"),
        # Too little would remain.
        ("에서", "에서"),
        ("라마다", "라마다"),
        # Names that end like a particle ('이나': or).
        ("우크라이나", "우크라이나"),
        ("차이나타운", "차이나타운"),
    ],
)
def test_strip_particles(word: str, name: str) -> None:
    assert strip_particles(word) == name


def test_kiwi_particles_at_the_end_are_cut_not_inside_a_name() -> None:
    text = "부산역부터"
    tagged = [Morpheme("부산", "NNP", 0, 2), Morpheme("역", "NNG", 2, 3)]
    assert particle_free_end(text, 0, 5, [*tagged, Morpheme("부터", "JX", 3, 5)]) == 3
    # A particle kiwi read inside an unknown name, with the name going on.
    name = "비에뜨반미"
    odd = [
        Morpheme("비", "NNG", 0, 1),
        Morpheme("에", "JKB", 1, 2),
        Morpheme("뜨반미", "NNG", 2, 5),
    ]
    assert particle_free_end(name, 0, 5, odd) == 5
    # An ending alone is not a particle: '부산 서면' read as 서/VV 면/EC stays whole.
    seomyeon = [
        Morpheme("부산", "NNP", 0, 2),
        Morpheme("서", "VV", 3, 4),
        Morpheme("면", "EC", 4, 5),
    ]
    assert particle_free_end("부산 서면", 0, 5, seomyeon) == 5
    # Trailing spaces go too.
    assert particle_free_end("남포동  ", 0, 5, [Morpheme("남포동", "NNP", 0, 3)]) == 3


def test_the_food_vlog_title_has_no_particle_in_its_candidates(
    place_extractor: PlaceExtractor,
) -> None:
    unit = TextUnit("title", "부산 남포동 먹방 투어 🍜 자갈치시장 회백반부터 깡통시장 비빔당면까지")
    texts = [unit.text[c.start : c.end] for c in place_extractor.find_candidates([unit])]
    assert "자갈치시장" in texts
    assert not [t for t in texts if t.endswith(("부터", "까지"))], texts
