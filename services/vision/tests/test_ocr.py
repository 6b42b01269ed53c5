"""OCR on frames rendered here with NanumGothic: Korean and English, over noise."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from prometheus_client import REGISTRY

from pind_vision.adapters.ocr import Box, DetectorTesseractEngine
from pind_vision.adapters.ocr.tesseract import TesseractRecogniser, Word
from pind_vision.domain.lines import LineRead, assemble, best_read
from pind_vision.domain.merge import Sighting, merge_sightings
from pind_vision.domain.preprocess import crop, text_is_light, to_grey

FONT = "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"


def squash(text: str) -> str:
    """Letters and digits only, case folded: spaces and punctuation are not judged."""
    return "".join(c for c in text.casefold() if c.isalnum())


def drawn_box(text: str, xy: tuple[int, int], size: int) -> Box:
    font = ImageFont.truetype(FONT, size)
    left, top, right, bottom = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox(
        xy, text, font=font
    )
    return Box(int(left), int(top), int(right - left), int(bottom - top))


def covers(found: Box, drawn: Box) -> bool:
    """``found`` holds most of ``drawn`` and is not much bigger (a detector box
    may take in the sign around the text)."""
    width = max(0, min(found.right, drawn.right) - max(found.x, drawn.x))
    height = max(0, min(found.bottom, drawn.bottom) - max(found.y, drawn.y))
    drawn_area = drawn.width * drawn.height
    return width * height >= 0.8 * drawn_area and found.width * found.height <= 4 * drawn_area


def test_reads_korean_and_english_lines_over_noise(
    engine: DetectorTesseractEngine, render_frame: Any, caption: Any
) -> None:
    lines = [
        caption("광장시장 빈대떡 맛집", (30, 20), 30),  # white, black outline
        caption(
            "Gwangjang Market", (30, 100), 28, fill=(255, 230, 0), outline=None, box=(30, 30, 60)
        ),  # yellow on a dark sign
        caption(
            "성수동 카페거리", (30, 180), 26, fill=(20, 20, 20), outline=None, box=(240, 240, 235)
        ),  # dark text on a light sign
        caption("명동교자 칼국수 10,000원", (30, 270), 28),
    ]
    frame = render_frame(lines, seed=1)

    [read] = engine.read_many([frame])

    by_text = {squash(line.text): line for line in read}
    for drawn in lines:
        line = by_text.get(squash(drawn.text))
        assert line is not None, f"{drawn.text!r} not read; got {[r.text for r in read]}"
        assert line.confidence > 0.7
        assert covers(line.box, drawn_box(drawn.text, drawn.xy, drawn.size))


def test_a_batch_keeps_each_frame_s_lines_apart(
    engine: DetectorTesseractEngine, render_frame: Any, caption: Any
) -> None:
    first = render_frame([caption("해운대 해수욕장", (60, 150), 34)], seed=2)
    second = render_frame([caption("Haeundae Beach", (60, 150), 34)], seed=3)

    frames_before = _counted("pind_ocr_frames_total", engine=engine.name)
    lines_before = _counted("pind_ocr_lines_total", engine=engine.name, read="yes")

    reads = engine.read_many([first, second])

    assert [[squash(line.text) for line in frame] for frame in reads] == [
        ["해운대해수욕장"],
        ["haeundaebeach"],
    ]
    # vision's /metrics: two frames read, each of its two lines read afresh.
    assert _counted("pind_ocr_frames_total", engine=engine.name) == frames_before + 2
    assert _counted("pind_ocr_lines_total", engine=engine.name, read="yes") == lines_before + 2


def _counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_noise_alone_yields_no_text(engine: DetectorTesseractEngine, render_frame: Any) -> None:
    frame = render_frame([], seed=4)

    [read] = engine.read_many([frame])
    sightings = [Sighting(r.text, r.confidence, 0.0, r.box, 640, 360) for r in read]

    assert merge_sightings(sightings) == []


def test_tesseract_batches_return_words_in_crop_order() -> None:
    # More crops than one process takes, so the batch is split over two processes.
    words = ["서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "수원", "전주"]
    font = ImageFont.truetype(FONT, 40)
    crops = []
    for word in words:
        image = Image.new("L", (200, 64), 255)
        ImageDraw.Draw(image).text((12, 8), word, font=font, fill=0)
        crops.append(np.asarray(image, dtype=np.uint8))

    read = TesseractRecogniser().read(crops)

    assert [assemble(w).text for w in read] == words


def test_light_and_dark_text_are_told_apart(render_frame: Any, caption: Any) -> None:
    light = render_frame([caption("야경", (100, 100), 40, outline=None, box=(20, 20, 30))], seed=5)
    dark = render_frame(
        [caption("야경", (100, 100), 40, fill=(10, 10, 10), outline=None, box=(250, 250, 250))],
        seed=5,
    )
    box = drawn_box("야경", (100, 100), 40)

    assert text_is_light(crop(to_grey(light), box))
    assert not text_is_light(crop(to_grey(dark), box))


def word(text: str, left: int, right: int, confidence: float = 0.9) -> Word:
    return Word(text, confidence, left, 10, right - left, 40)


def test_lone_syllables_are_glued_and_words_keep_their_spaces() -> None:
    line = assemble(
        [word("광", 10, 45), word("장", 55, 83), word("시장", 92, 154), word("빈대떡", 174, 250)]
    )

    assert line.text == "광장시장 빈대떡"


def test_latin_words_and_numbers_keep_their_spaces() -> None:
    line = assemble([word("Seoul", 0, 100), word("Station", 110, 240), word("1", 250, 270)])

    assert line.text == "Seoul Station 1"


def test_unsure_symbols_are_dropped_and_confidence_weighs_characters() -> None:
    line = assemble(
        [word("[", 0, 5, 0.3), word("명동교자", 10, 150, 0.9), word("본점", 170, 240, 0.6)]
    )

    assert line.text == "명동교자 본점"
    assert abs(line.confidence - (0.9 * 4 + 0.6 * 2) / 6) < 1e-9


def test_one_sure_syllable_does_not_beat_a_whole_line() -> None:
    whole = LineRead("광장시장 빈대떡 맛집", 0.85)
    fragment = LineRead("집", 0.97)

    assert best_read([fragment, whole]) == whole
    assert best_read([LineRead("", 0.0)]).text == ""
