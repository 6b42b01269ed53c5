"""The default OCR engine: RapidOCR's detector finds the lines, Tesseract
reads each line, in a few versions when the first read is unsure, and the
most confident read wins.

Two things keep Tesseract (the main cost) busy only where it matters:

- each crop is first read once, contrast-stretched; only crops read with less
  than ``accept_confidence`` are read again as the bright and dark layers;
- the images of one call are consecutive frames of a video: a line whose box
  and pixels are unchanged since the frame before is not read again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from pind_vision.adapters.ocr.detector import DetectorSettings, TextDetector
from pind_vision.adapters.ocr.metrics import OCR_FRAMES, OCR_LINES
from pind_vision.adapters.ocr.tesseract import TesseractRecogniser, TesseractSettings
from pind_vision.domain.lines import LineRead, assemble, best_read
from pind_vision.domain.ocr import Box, Image, OcrLine
from pind_vision.domain.preprocess import crop, signature, to_grey, variants


@dataclass(frozen=True, slots=True)
class EngineSettings:
    detector: DetectorSettings = field(default_factory=DetectorSettings)
    tesseract: TesseractSettings = field(default_factory=TesseractSettings)
    # A menu board can hold fifty lines; reading the biggest ones bounds the cost.
    max_lines_per_image: int = 24
    # A first read at least this sure is kept without reading other versions;
    # on the samples wrong first reads scored up to 0.90, right ones mostly 0.92+.
    accept_confidence: float = 0.93
    # A line is the one of the frame before when its box overlaps that much ...
    same_box_iou: float = 0.7
    # ... and its small grey picture differs by at most this (mean, 0..255).
    same_pixels: float = 12.0


@dataclass(slots=True)
class _Job:
    """One detected line: where it is, its versions, and what came of them."""

    index: int
    box: Box
    versions: list[Image]
    signature: npt.NDArray[np.float32]
    reads: list[LineRead] = field(default_factory=list)
    same_as: _Job | None = None

    def best(self) -> LineRead:
        return self.same_as.best() if self.same_as is not None else best_read(self.reads)


class DetectorTesseractEngine:
    """:class:`~pind_vision.domain.ocr.OcrEngine` for Korean and English on CPUs."""

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
        self.lines_read = 0  # crops sent to Tesseract at least once
        self.lines_reused = 0  # lines taken unchanged from the frame before

    def check(self) -> None:
        """Raise :class:`~pind_vision.domain.ocr.OcrUnavailable` if Tesseract cannot run."""
        self._recogniser.check()

    def read_many(self, images: Sequence[Image]) -> list[list[OcrLine]]:
        # Detect in every image first, then read every crop of the batch in one go.
        jobs: list[_Job] = []
        previous: list[_Job] = []
        for index, image in enumerate(images):
            grey = to_grey(image)
            current = []
            for box in self._largest(self._detector.detect(image)):
                region = crop(grey, box)
                job = _Job(index, box, [v.image for v in variants(region)], signature(region))
                job.same_as = self._unchanged(job, previous)
                current.append(job)
            jobs += current
            previous = current
        fresh = [job for job in jobs if job.same_as is None]
        self.lines_read += len(fresh)
        self.lines_reused += len(jobs) - len(fresh)
        OCR_FRAMES.labels(self.name).inc(len(images))
        OCR_LINES.labels(self.name, "yes").inc(len(fresh))
        OCR_LINES.labels(self.name, "reused").inc(len(jobs) - len(fresh))
        self._read(fresh, lambda job: job.versions[:1])
        unsure = [
            job for job in fresh if job.reads[0].confidence < self._settings.accept_confidence
        ]
        self._read(unsure, lambda job: job.versions[1:])
        lines: list[list[OcrLine]] = [[] for _ in images]
        for job in jobs:
            best = job.best()
            if best.text:
                lines[job.index].append(OcrLine(best.text, best.confidence, job.box))
        return lines

    def _read(self, jobs: list[_Job], pick: Callable[[_Job], list[Image]]) -> None:
        chosen = [pick(job) for job in jobs]
        words = self._recogniser.read([image for images in chosen for image in images])
        cursor = 0
        for job, images in zip(jobs, chosen, strict=True):
            job.reads += [assemble(w) for w in words[cursor : cursor + len(images)]]
            cursor += len(images)

    def _unchanged(self, job: _Job, previous: list[_Job]) -> _Job | None:
        """The line of the frame before that ``job`` shows again, if any."""
        s = self._settings
        for earlier in previous:
            if (
                earlier.box.iou(job.box) >= s.same_box_iou
                and earlier.signature.shape == job.signature.shape
                and float(np.abs(earlier.signature - job.signature).mean()) <= s.same_pixels
            ):
                return earlier.same_as or earlier
        return None

    def _largest(self, boxes: list[Box]) -> list[Box]:
        limit = self._settings.max_lines_per_image
        if len(boxes) <= limit:
            return boxes
        keep = set(sorted(boxes, key=lambda b: b.width * b.height, reverse=True)[:limit])
        return [b for b in boxes if b in keep]
