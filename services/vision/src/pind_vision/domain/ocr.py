"""What every OCR engine offers: lines of text read from one image."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""A BGR (3-channel) or grey (2-D) picture as OpenCV holds it."""


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle in pixels of the image that was read."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def iou(self, other: Box) -> float:
        """Intersection over union, 0 when apart."""
        ix = max(0, min(self.right, other.right) - max(self.x, other.x))
        iy = max(0, min(self.bottom, other.bottom) - max(self.y, other.y))
        inter = ix * iy
        union = self.width * self.height + other.width * other.height - inter
        return inter / union if union > 0 else 0.0


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line of text an engine read, with its confidence (0..1) and place."""

    text: str
    confidence: float
    box: Box


@dataclass(frozen=True, slots=True)
class Word:
    """One word as a recogniser read it, in pixels of the crop it was given."""

    text: str
    confidence: float  # 0..1
    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width


class OcrEngine(Protocol):
    """Reads the text lines of pictures. Implementations are blocking and
    CPU-bound: callers run them in a worker thread."""

    @property
    def name(self) -> str:
        """A short, stable name that is reported with the results, e.g.
        ``'rapidocr-det+tesseract'``."""
        ...

    def check(self) -> None:
        """Raise :class:`OcrUnavailable` when the engine cannot run here
        (called before any media is fetched)."""
        ...

    def read_many(self, images: Sequence[Image]) -> list[list[OcrLine]]:
        """The lines of each image, in the order given (batched for speed)."""
        ...


class OcrUnavailable(RuntimeError):
    """The engine cannot run here (a binary or language pack is missing)."""
