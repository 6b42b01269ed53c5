"""The whole reading path on a sample vlog, scored against its gold on-screen text.

Character error rate (CER): for each gold line, the edit distance to the
closest text read (spaces removed, case folded), over the gold characters.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from rapidfuzz.distance import Levenshtein

from pind_contracts import VideoIngested, VisionReady
from pind_contracts.events.video_ingested import VideoMetadata
from pind_contracts.events.vision_ready import ScreenText
from pind_vision.adapters.media import MediaFetcher
from pind_vision.adapters.ocr import DetectorTesseractEngine
from pind_vision.app import build_service
from pind_vision.settings import VisionSettings

SAMPLE = "pindSeoul01"


def squash(text: str) -> str:
    return text.replace(" ", "").casefold()


def closest(gold: str, texts: list[ScreenText]) -> tuple[int, ScreenText | None]:
    """Edit distance to the closest read (at most the gold length: all missed)."""
    target = squash(gold)
    best: tuple[int, ScreenText | None] = (len(target), None)
    for text in texts:
        distance = Levenshtein.distance(target, squash(text.text))
        if distance < best[0]:
            best = (distance, text)
    return best


def character_error_rate(golds: list[str], texts: list[ScreenText]) -> float:
    errors = sum(closest(gold, texts)[0] for gold in golds)
    return errors / sum(len(squash(gold)) for gold in golds)


@pytest.fixture(scope="module")
def gold(samples_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((samples_dir / SAMPLE / "gold.json").read_text())
    return data


@pytest.fixture(scope="module")
async def reading(
    fake_youtube: str,
    engine: DetectorTesseractEngine,
    make_settings: Callable[..., VisionSettings],
) -> tuple[VisionReady, list[float]]:
    settings = make_settings(youtube_recorded_url=fake_youtube, progress_every_s=0.01)
    service = build_service(settings, media=MediaFetcher(settings), engine=engine)
    ingested = VideoIngested(
        job_id=uuid4(),
        video_id=SAMPLE,
        metadata=VideoMetadata(
            title="sample", duration_s=40, webpage_url=f"https://www.youtube.com/watch?v={SAMPLE}"
        ),
    )
    reported: list[float] = []

    async def progress(fraction: float) -> None:
        reported.append(fraction)

    return await service.read(ingested, progress), reported


def test_on_screen_text_is_read_with_a_low_error_rate(
    reading: tuple[VisionReady, list[float]], gold: dict[str, Any]
) -> None:
    ready, _ = reading
    frame_texts = [t for t in ready.texts if t.source == "frame"]

    cer = character_error_rate([g["text"] for g in gold["on_screen_text"]], frame_texts)

    assert cer <= 0.05, f"CER {cer:.3f}; read {[t.text for t in frame_texts]}"
    assert ready.engine == "rapidocr-det+tesseract"
    assert 5 <= ready.frames_sampled <= 10  # 40 s: one minute's cap


def test_each_text_is_first_seen_while_it_is_on_screen(
    reading: tuple[VisionReady, list[float]], gold: dict[str, Any]
) -> None:
    ready, _ = reading
    frame_texts = [t for t in ready.texts if t.source == "frame"]

    for line in gold["on_screen_text"]:
        distance, text = closest(line["text"], frame_texts)
        assert text is not None and distance <= 2, f"{line['text']!r} not read"
        assert line["start_s"] <= text.first_seen_s < line["end_s"], (line, text)
        assert text.last_seen_s is not None and text.last_seen_s < line["end_s"]
        assert text.box is not None and text.box.frame_width == 640


def test_the_thumbnail_is_read_too(
    reading: tuple[VisionReady, list[float]], gold: dict[str, Any]
) -> None:
    ready, _ = reading
    thumbnail_texts = [t for t in ready.texts if t.source == "thumbnail"]

    assert character_error_rate(gold["thumbnail_text"], thumbnail_texts) <= 0.1
    assert all(t.first_seen_s == 0 and t.box and t.box.frame_width == 1280 for t in thumbnail_texts)


def test_progress_rises_as_frames_are_read(reading: tuple[VisionReady, list[float]]) -> None:
    _, reported = reading

    assert len(reported) >= 3
    assert reported == sorted(reported)
    assert reported[0] > 0 and reported[-1] < 1
