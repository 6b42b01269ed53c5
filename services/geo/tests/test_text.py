from hypothesis import given
from hypothesis import strategies as st

from pind_geo.domain.romanize import romanize
from pind_geo.domain.text import collapse_spaced_syllables, match_key, sentence_around

hangul = st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1)


def test_ocr_syllable_spacing_is_undone_and_offsets_point_back() -> None:
    text = "간판: 광 장 시 장 입구"
    collapsed, offsets = collapse_spaced_syllables(text)
    assert collapsed == "간판: 광장시장 입구"
    start = collapsed.index("광장시장")
    assert text[offsets[start] : offsets[start + 3] + 1] == "광 장 시 장"


def test_ordinary_korean_spacing_is_kept() -> None:
    assert collapse_spaced_syllables("광장시장에 왔어요")[0] == "광장시장에 왔어요"
    assert collapse_spaced_syllables("한 잔")[0] == "한 잔"  # two syllables are not OCR spacing


@given(st.lists(hangul, min_size=1, max_size=6))
def test_collapsing_never_changes_the_match_key(words: list[str]) -> None:
    text = " ".join(words)
    collapsed, offsets = collapse_spaced_syllables(text)
    assert match_key(collapsed) == match_key(text)
    assert len(offsets) == len(collapsed)
    assert all(text[o] == c for o, c in zip(offsets, collapsed, strict=True))


def test_match_key_ignores_case_space_and_punctuation() -> None:
    assert match_key("Jongno 3-ga") == match_key("jongno3ga")
    assert match_key("광 장 시 장") == match_key("광장시장")


def test_romanization_follows_revised_romanization() -> None:
    assert romanize("광장") == "gwangjang"
    assert romanize("종로") == "jongno"
    assert romanize("신라") == "silla"
    assert romanize("망원") == "mangwon"
    assert romanize("해운대") == "haeundae"


@given(hangul)
def test_romanization_is_ascii(word: str) -> None:
    assert romanize(word).isascii()


def test_sentence_around_a_span() -> None:
    text = "오늘은 날씨가 좋네요. 광장시장에 왔어요! 빈대떡 먹어요"
    start = text.index("광장시장")
    assert sentence_around(text, start, start + 4) == "광장시장에 왔어요!"
