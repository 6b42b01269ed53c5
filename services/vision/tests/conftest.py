"""Shared fixtures: the fake YouTube, one OCR engine, frames rendered with NanumGothic."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from aiohttp import web
from PIL import Image, ImageDraw, ImageFont

from pind_fakes.serving import serve
from pind_fakes.settings import FakesSettings
from pind_fakes.youtube import create_app
from pind_vision.adapters.ocr import DetectorTesseractEngine
from pind_vision.settings import VisionSettings

FONT_DIR = Path("/usr/share/fonts/truetype/nanum")
SAMPLES_DIR = Path(__file__).resolve().parents[3] / "samples" / "vlogs"


@dataclass(frozen=True)
class Caption:
    """A line to draw: text, top-left corner, size, fill, optional outline or box."""

    text: str
    xy: tuple[int, int]
    size: int = 30
    fill: tuple[int, int, int] = (255, 255, 255)
    outline: tuple[int, int, int] | None = (0, 0, 0)
    box: tuple[int, int, int] | None = None
    bold: bool = True


RenderFrame = Callable[..., np.ndarray]


def noisy_background(seed: int, width: int = 640, height: int = 360) -> np.ndarray:
    """A photo-like picture: smooth colour blobs plus sensor noise (RGB)."""
    rng = np.random.default_rng(seed)
    blobs = rng.integers(0, 255, (height // 40 + 2, width // 40 + 2, 3), dtype=np.uint8)
    image = Image.fromarray(blobs).resize((width, height), Image.Resampling.BICUBIC)
    noise = rng.normal(0, 16, (height, width, 3))
    return np.clip(np.asarray(image, np.float64) + noise, 0, 255).astype(np.uint8)


def render(
    captions: Sequence[Caption], seed: int = 0, width: int = 640, height: int = 360
) -> np.ndarray:
    """A BGR frame (as OpenCV reads video) with ``captions`` drawn over noise."""
    picture = Image.fromarray(noisy_background(seed, width, height))
    draw = ImageDraw.Draw(picture)
    for caption in captions:
        name = "NanumGothicBold.ttf" if caption.bold else "NanumGothic.ttf"
        font = ImageFont.truetype(str(FONT_DIR / name), caption.size)
        if caption.box is not None:
            left, top, right, bottom = draw.textbbox(caption.xy, caption.text, font=font)
            draw.rectangle((left - 10, top - 8, right + 10, bottom + 8), fill=caption.box)
        stroke = 3 if caption.outline is not None else 0
        draw.text(
            caption.xy,
            caption.text,
            font=font,
            fill=caption.fill,
            stroke_width=stroke,
            stroke_fill=caption.outline,
        )
    return np.ascontiguousarray(np.asarray(picture)[:, :, ::-1])


@pytest.fixture(scope="session")
def render_frame() -> RenderFrame:
    return render


@pytest.fixture(scope="session")
def engine() -> DetectorTesseractEngine:
    """One engine for the session: loading the detector costs a second."""
    built = DetectorTesseractEngine()
    built.check()
    return built


@pytest.fixture(scope="session")
def fake_youtube_app() -> web.Application:
    return create_app(FakesSettings())


@pytest.fixture(scope="session")
async def fake_youtube(fake_youtube_app: web.Application) -> AsyncIterator[str]:
    """The fake YouTube's base URL (in this process, on a free port)."""
    async with serve(fake_youtube_app) as url:
        yield url


def _settings(**overrides: object) -> VisionSettings:
    values: dict[str, object] = {"database_url": "postgresql+asyncpg://unused@127.0.0.1:1/unused"}
    values.update(overrides)
    return VisionSettings.model_validate(values)


@pytest.fixture(scope="session")
def make_settings() -> Callable[..., VisionSettings]:
    """Settings for tests that touch no database: ``make_settings(key=value)``."""
    return _settings


@pytest.fixture(scope="session")
def caption() -> type[Caption]:
    """The :class:`Caption` class, for tests to describe what ``render_frame`` draws."""
    return Caption


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES_DIR
