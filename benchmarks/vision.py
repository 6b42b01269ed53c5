"""How fast, how accurate and how big vision is on this machine.

    uv run python -m benchmarks.vision                      # every sample clip
    uv run python -m benchmarks.vision pindSeoul01          # some
    PIND_OCR_ENGINE=easyocr uv run python -m benchmarks.vision

Each clip goes through the service's real reading path (yt-dlp from the fake
YouTube, frame sampling, OCR, merging) and is scored against its gold
on-screen text. ``benchmarks.media`` calls :func:`measure_clip` in its own
vision process.

Character error rate (CER): for each gold line, the edit distance to the
closest text read (spaces removed, case folded), over the gold characters;
lines with Hangul count as Korean, the others as English.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import numpy as np
import structlog
from rapidfuzz.distance import Levenshtein

from pind_contracts import VideoIngested
from pind_contracts.events.video_ingested import VideoMetadata
from pind_contracts.events.vision_ready import ScreenText
from pind_vision.app import build_engine, build_service
from pind_vision.domain.merge import language_of
from pind_vision.domain.ocr import OcrEngine
from pind_vision.settings import VisionSettings

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples" / "vlogs"
DUMMY_DB = "postgresql+asyncpg://bench@127.0.0.1:1/unused"  # reading touches no database
TARGET_S_PER_MIN = 10.0
TARGET_CER = {"ko": 0.10, "en": 0.05}
TARGET_PEAK_MB = 1536.0

T = TypeVar("T")
_engines: dict[str, OcrEngine] = {}


def _squash(text: str) -> str:
    return text.replace(" ", "").casefold()


def character_error_rate(golds: Sequence[str], texts: Sequence[str]) -> float | None:
    """Summed edit distance of each gold line to its closest read, over the
    gold characters; ``None`` without gold lines."""
    targets = [_squash(g) for g in golds if _squash(g)]
    if not targets:
        return None
    reads = [_squash(t) for t in texts]
    errors = sum(
        min([len(target), *(Levenshtein.distance(target, read) for read in reads)])
        for target in targets
    )
    return errors / sum(len(target) for target in targets)


def score(gold_lines: Sequence[str], texts: Sequence[ScreenText]) -> dict[str, float | None]:
    """``cer_ko`` and ``cer_en`` of the frame texts against the gold lines."""
    read = [t.text for t in texts if t.source == "frame"]
    korean = [g for g in gold_lines if language_of(g) == "ko"]
    english = [g for g in gold_lines if language_of(g) != "ko"]
    return {
        "cer_ko": character_error_rate(korean, read),
        "cer_en": character_error_rate(english, read),
    }


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the Tesseract runs)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    """This process's peak resident memory (Tesseract runs apart, ~100 MB each)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _settings(youtube_url: str) -> VisionSettings:
    return VisionSettings(database_url=DUMMY_DB, youtube_recorded_url=youtube_url)


def _warm_engine(settings: VisionSettings) -> OcrEngine:
    """The configured engine, loaded once per process (model loading is not
    what a long-running worker pays per video)."""
    engine = _engines.get(settings.ocr_engine)
    if engine is None:
        engine = build_engine(settings)
        engine.check()
        engine.read_many([np.full((64, 256, 3), 255, dtype=np.uint8)])
        _engines[settings.ocr_engine] = engine
    return engine


@dataclass(frozen=True, slots=True)
class _Clip:
    video_id: str
    duration_s: float
    gold_lines: list[str]


def _load_clip(video_id: str) -> _Clip:
    folder = SAMPLES_DIR / video_id
    info = json.loads((folder / "info.json").read_text(encoding="utf-8"))
    gold_file = folder / "gold.json"
    gold = json.loads(gold_file.read_text(encoding="utf-8")) if gold_file.is_file() else {}
    lines = [str(line["text"]) for line in gold.get("on_screen_text", [])]
    return _Clip(video_id, float(info["duration"]), lines)


async def _read(video_id: str, duration_s: float, youtube_url: str) -> Any:
    settings = _settings(youtube_url)
    service = build_service(settings, engine=_warm_engine(settings))
    ingested = VideoIngested(
        job_id=uuid4(),
        video_id=video_id,
        metadata=VideoMetadata(
            title=video_id,
            duration_s=round(duration_s),
            webpage_url=f"https://www.youtube.com/watch?v={video_id}",
        ),
    )

    async def progress(_: float) -> None:
        return None

    return await service.read(ingested, progress)


def _run_blocking(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to its end from synchronous code, also when the caller
    is itself inside an event loop (``benchmarks.media`` calls from one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def measure_clip(video_id: str, youtube_url: str) -> dict[str, float | None]:
    """Read one sample clip through the whole path (fetch included, engine
    already loaded) and return its figures; see ``benchmarks.media``."""
    clip = _load_clip(video_id)
    _warm_engine(_settings(youtube_url))
    cpu_before, started = _cpu_seconds(), time.perf_counter()
    ready = _run_blocking(lambda: _read(video_id, clip.duration_s, youtube_url))
    wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "video_minutes": clip.duration_s / 60,
        "frames_ocred": float(ready.frames_sampled),
        "texts": float(len(ready.texts)),
        **score(clip.gold_lines, ready.texts),
        "peak_rss_mb": _peak_mb(),
    }


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _verdict(value: float | None, target: float) -> str:
    return "" if value is None or value <= target else " (OVER)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.vision", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("clips", nargs="*", help="sample video ids (default: all)")
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    ids = args.clips or sorted(p.name for p in SAMPLES_DIR.iterdir() if (p / "info.json").is_file())

    from pind_fakes.serving import serve_in_thread  # dev tool: the fake YouTube
    from pind_fakes.settings import FakesSettings
    from pind_fakes.youtube import create_app

    out = sys.stdout
    load = os.getloadavg()
    engine = _settings("http://unused").ocr_engine
    out.write(
        f"vision benchmark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, engine {engine}, "
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n"
    )
    header = "clip          video_s  wall_s/min  cpu_s/min  frames/min  cer_ko  cer_en  peak_MB"
    out.write(header + "\n")
    with serve_in_thread(create_app(FakesSettings())) as youtube_url:
        started = time.perf_counter()
        _warm_engine(_settings(youtube_url))
        out.write(f"(engine loaded in {time.perf_counter() - started:.1f} s, not counted)\n")
        for video_id in ids:
            f = measure_clip(video_id, youtube_url)
            minutes = f["video_minutes"] or 1.0
            wall_pm = (f["seconds"] or 0.0) / minutes
            out.write(
                f"{video_id:<13} {minutes * 60:7.0f}  "
                f"{wall_pm:7.1f}{_verdict(wall_pm, TARGET_S_PER_MIN):<3}  "
                f"{(f['cpu_seconds'] or 0.0) / minutes:9.1f}  "
                f"{(f['frames_ocred'] or 0.0) / minutes:10.1f}  "
                f"{_fmt(f['cer_ko'], '6.3f')}{_verdict(f['cer_ko'], TARGET_CER['ko'])}  "
                f"{_fmt(f['cer_en'], '6.3f')}{_verdict(f['cer_en'], TARGET_CER['en'])}  "
                f"{_fmt(f['peak_rss_mb'], '7.0f')}{_verdict(f['peak_rss_mb'], TARGET_PEAK_MB)}"
                "\n"
            )
            out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
