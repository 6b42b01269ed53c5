"""The OCR engines' Prometheus counters (served on vision's ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter

OCR_FRAMES = Counter("pind_ocr_frames_total", "Video frames an OCR engine read", ["engine"])
OCR_LINES = Counter(
    "pind_ocr_lines_total",
    "Text lines an OCR engine found, by whether it read them or took them from the frame before",
    ["engine", "read"],
)
