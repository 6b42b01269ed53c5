"""Cleaning OCR reads and merging them across frames."""

from __future__ import annotations

from pind_vision.adapters.ocr import Box
from pind_vision.domain.merge import (
    MergeRules,
    Sighting,
    TextSource,
    clean,
    is_junk,
    language_of,
    merge_sightings,
)

BOX = Box(10, 300, 200, 30)


def seen(
    text: str,
    time_s: float,
    confidence: float = 0.9,
    box: Box = BOX,
    source: TextSource = "frame",
) -> Sighting:
    return Sighting(text, confidence, time_s, box, 640, 360, source)


def test_repeats_merge_ignoring_spaces_and_keep_first_and_last_sight() -> None:
    texts = merge_sightings(
        [
            seen("광장시장 도착!", 7.0, 0.91),
            seen("광장시장도착!", 8.0, 0.95, box=Box(12, 302, 198, 30)),
            seen("광장 시장 도작!", 13.0, 0.80),  # one syllable misread: still the same text
        ]
    )

    assert len(texts) == 1
    text = texts[0]
    assert (text.text, text.first_seen_s, text.last_seen_s) == ("광장시장도착!", 7.0, 13.0)
    assert text.confidence == 0.95
    assert text.box is not None and (text.box.x, text.box.y) == (12, 302)
    assert (text.box.frame_width, text.box.frame_height) == (640, 360)
    assert text.lang == "ko" and text.source == "frame"


def test_different_texts_stay_apart_in_order_of_first_sight() -> None:
    texts = merge_sightings(
        [seen("Tongin Market", 22.0), seen("통인시장", 22.0), seen("광장시장", 7.0)]
    )

    assert [(t.text, t.first_seen_s) for t in texts] == [
        ("광장시장", 7.0),
        ("Tongin Market", 22.0),
        ("통인시장", 22.0),
    ]
    assert [t.lang for t in texts] == ["ko", "en", "ko"]


def test_thumbnail_text_is_kept_apart_from_frame_text() -> None:
    texts = merge_sightings([seen("광장시장", 7.0), seen("광장시장", 0.0, source="thumbnail")])

    assert sorted((t.source, t.first_seen_s) for t in texts) == [("frame", 7.0), ("thumbnail", 0.0)]


def test_junk_short_and_unsure_reads_are_dropped() -> None:
    texts = merge_sightings(
        [
            seen("ㅋㅋㅋ", 1.0),  # loose jamo
            seen("가", 2.0),  # one syllable
            seen("|||/--", 3.0),  # symbols
            seen("IIIIIII", 4.0),  # texture
            seen("Seoul Station", 5.0, confidence=0.4),  # unsure
            seen("서울역", 6.0, confidence=0.65),
        ],
        MergeRules(min_confidence=0.6),
    )

    assert [t.text for t in texts] == ["서울역"]


def test_an_unsure_read_counts_when_a_sure_one_confirms_it() -> None:
    texts = merge_sightings([seen("N Seoul Tower", 31.0, 0.5), seen("N Seoul Tower", 33.0, 0.9)])

    assert [(t.first_seen_s, t.confidence) for t in texts] == [(31.0, 0.9)]


def test_clean_trims_symbols_at_the_ends_only() -> None:
    assert clean("  [광장시장   도착!| ") == "광장시장 도착!"
    assert clean("'Mung Bean (Pancake)") == "Mung Bean (Pancake)"
    assert clean("빈대떡 5,000원") == "빈대떡 5,000원"


def test_junk_rules() -> None:
    rules = MergeRules()
    assert is_junk("", rules)
    assert is_junk("1234", rules)  # no letters
    assert not is_junk("N서울타워", rules)
    assert not is_junk("Exit 9", rules)
    assert language_of("1,000") is None
