"""The default OCR engine: RapidOCR's detector finds the lines, Tesseract
reads each line in a few versions, the most confident read wins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pind_vision.ocr.base import Box, Image, OcrLine
from pind_vision.ocr.detector import DetectorSettings, TextDetector
from pind_vision.ocr.lines import LineRead, assemble, best_read
from pind_vision.ocr.preprocess import crop, to_grey, variants
from pind_vision.ocr.tesseract import TesseractRecogniser, TesseractSettings


@dataclass(frozen=True, slots=True)
class EngineSettings:
    detector: DetectorSettings = field(default_factory=DetectorSettings)
    tesseract: TesseractSettings = field(default_factory=TesseractSettings)
    # A menu board can hold fifty lines; reading the biggest ones bounds the cost.
    max_lines_per_image: int = 24


class DetectorTesseractEngine:
    """:class:`~pind_vision.ocr.base.OcrEngine` for Korean and English on CPUs."""

    name = "rapidocr-det+tesseract"

    def __init__(
        self,
        settings: EngineSettings | None = None,
        *,
        detector: TextDetector | None = None,
        recogniser: TesseractRecogniser | None = None,
    ) -> None:
        self._settings = settings or EngineSettings()
        self._detector = detector or TextDetector(self._settings.detector)
        self._recogniser = recogniser or TesseractRecogniser(self._settings.tesseract)

    def check(self) -> None:
        """Raise :class:`~pind_vision.ocr.base.OcrUnavailable` if Tesseract cannot run."""
        self._recogniser.check()

    def read_many(self, images: Sequence[Image]) -> list[list[OcrLine]]:
        # Detect in every image first, then read every crop of the batch in one go.
        jobs: list[tuple[int, Box]] = []
        crops: list[Image] = []
        variant_counts: list[int] = []
        for index, image in enumerate(images):
            grey = to_grey(image)
            for box in self._largest(self._detector.detect(image)):
                versions = variants(crop(grey, box))
                jobs.append((index, box))
                variant_counts.append(len(versions))
                crops.extend(v.image for v in versions)
        words = self._recogniser.read(crops)
        lines: list[list[OcrLine]] = [[] for _ in images]
        cursor = 0
        for (index, box), count in zip(jobs, variant_counts, strict=True):
            reads: list[LineRead] = [assemble(w) for w in words[cursor : cursor + count]]
            cursor += count
            best = best_read(reads)
            if best.text:
                lines[index].append(OcrLine(best.text, best.confidence, box))
        return lines

    def _largest(self, boxes: list[Box]) -> list[Box]:
        limit = self._settings.max_lines_per_image
        if len(boxes) <= limit:
            return boxes
        keep = set(sorted(boxes, key=lambda b: b.width * b.height, reverse=True)[:limit])
        return [b for b in boxes if b in keep]
