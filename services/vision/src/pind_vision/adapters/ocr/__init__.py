"""OCR: one :class:`OcrEngine` interface, engines behind it."""

from pind_vision.adapters.ocr.engine import DetectorTesseractEngine, EngineSettings
from pind_vision.domain.ocr import Box, OcrEngine, OcrLine, OcrUnavailable

__all__ = [
    "Box",
    "DetectorTesseractEngine",
    "EngineSettings",
    "OcrEngine",
    "OcrLine",
    "OcrUnavailable",
]
