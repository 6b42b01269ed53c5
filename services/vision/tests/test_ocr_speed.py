"""What keeps Tesseract's work down: one read for a sure line, none for a
line unchanged since the frame before (real detector and Tesseract)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pind_vision.adapters.ocr import DetectorTesseractEngine, EngineSettings
from pind_vision.adapters.ocr.tesseract import TesseractRecogniser, Word
from pind_vision.domain.ocr import Image


class CountingRecogniser(TesseractRecogniser):
    """The real recogniser, counting the crops it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.crops = 0

    def read(self, crops: Sequence[Image]) -> list[list[Word]]:
        self.crops += len(crops)
        return super().read(crops)


def squash(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def engine_counting(accept: float = 0.93) -> tuple[DetectorTesseractEngine, CountingRecogniser]:
    recogniser = CountingRecogniser()
    settings = EngineSettings(accept_confidence=accept)
    return DetectorTesseractEngine(settings, recogniser=recogniser), recogniser


def test_only_unsure_first_reads_are_read_again_in_other_versions(
    render_frame: Any, caption: Any
) -> None:
    frame = render_frame(
        [caption("Seoul Station", (40, 150), 40, outline=None, box=(20, 20, 30))], seed=8
    )
    sure, sure_recogniser = engine_counting(accept=0.0)
    unsure, unsure_recogniser = engine_counting(accept=1.01)

    [sure_read] = sure.read_many([frame])
    [unsure_read] = unsure.read_many([frame])

    assert sure_recogniser.crops == 1  # the first read was believed
    assert unsure_recogniser.crops == 3  # grey, then the bright and dark layers
    assert [squash(line.text) for line in unsure_read] == ["seoulstation"]
    assert unsure_read[0].confidence >= sure_read[0].confidence


def test_a_line_unchanged_since_the_frame_before_is_not_read_again(
    render_frame: Any, caption: Any
) -> None:
    engine, recogniser = engine_counting()
    frame = render_frame([caption("자갈치시장", (60, 150), 36)], seed=9)

    reads = engine.read_many([frame, frame.copy(), frame.copy()])

    assert [[squash(line.text) for line in lines] for lines in reads] == [["자갈치시장"]] * 3
    assert engine.lines_read == 1 and engine.lines_reused == 2
    assert recogniser.crops <= 3


def test_a_new_caption_in_the_same_place_is_read_anew(render_frame: Any, caption: Any) -> None:
    engine, _ = engine_counting()
    first = render_frame([caption("서울역 도착", (60, 150), 36)], seed=10)
    second = render_frame([caption("부산역 도착", (60, 150), 36)], seed=10)

    reads = engine.read_many([first, second])

    assert [[squash(line.text) for line in lines] for lines in reads] == [
        ["서울역도착"],
        ["부산역도착"],
    ]
    assert engine.lines_reused == 0
