"""Where text is in a picture: RapidOCR's bundled ONNX text detector (DB).

Only the detector is used; its recogniser cannot read Korean, so the boxes go
to Tesseract (see :mod:`pind_vision.adapters.ocr.engine`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from rapidocr import RapidOCR

from pind_vision.domain.ocr import Box, Image


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """Knobs of the detector; defaults measured on 360p–720p vlog frames."""

    # Longest side the detector sees: 360p frames pass unscaled, 1080p shrink.
    max_side: int = 960
    box_threshold: float = 0.5
    # How far DB's shrunk text kernels are grown back into boxes.
    unclip_ratio: float = 1.6
    min_box_height: int = 8
    min_box_width: int = 12
    # One thread: onnxruntime's extra threads spin while they wait, and on a
    # busy two-core machine that doubled the detector's CPU time and wall time
    # (measured on pindSeoul01: 2.96 -> 1.22 CPU s); Tesseract uses the other core.
    threads: int = 1  # 0: onnxruntime's default (all cores)


class TextDetector:
    """Finds text line boxes; thread-safe, model loaded on first use."""

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        self._settings = settings or DetectorSettings()
        self._engine: RapidOCR | None = None
        self._lock = threading.Lock()

    def _load(self) -> RapidOCR:
        with self._lock:
            if self._engine is None:
                s = self._settings
                threads = s.threads if s.threads > 0 else -1
                self._engine = RapidOCR(
                    params={
                        "Global.use_cls": False,
                        "Global.use_rec": False,
                        "Global.log_level": "error",
                        "Det.limit_type": "max",
                        "Det.limit_side_len": s.max_side,
                        "Det.box_thresh": s.box_threshold,
                        "Det.unclip_ratio": s.unclip_ratio,
                        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                    }
                )
            return self._engine

    def detect(self, image: Image) -> list[Box]:
        """Boxes of the text lines in ``image``, top to bottom."""
        engine = self._load()
        with self._lock:  # one inference at a time per session
            result = engine(image)
        raw = getattr(result, "boxes", None)
        if raw is None or len(raw) == 0:
            return []
        height, width = image.shape[:2]
        boxes: list[Box] = []
        for quad in np.asarray(raw, dtype=np.float64):
            x0, y0 = np.floor(quad.min(axis=0)).astype(int)
            x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
            x0, y0 = max(0, int(x0)), max(0, int(y0))
            x1, y1 = min(width, int(x1)), min(height, int(y1))
            if x1 - x0 >= self._settings.min_box_width and y1 - y0 >= self._settings.min_box_height:
                boxes.append(Box(x0, y0, x1 - x0, y1 - y0))
        boxes.sort(key=lambda b: (b.y, b.x))
        return boxes
