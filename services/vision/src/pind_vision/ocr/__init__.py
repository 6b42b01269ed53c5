"""OCR: one :class:`OcrEngine` interface, engines behind it."""

from pind_vision.ocr.base import Box, OcrEngine, OcrLine, OcrUnavailable
from pind_vision.ocr.engine import DetectorTesseractEngine, EngineSettings

__all__ = [
    "Box",
    "DetectorTesseractEngine",
    "EngineSettings",
    "OcrEngine",
    "OcrLine",
    "OcrUnavailable",
]
