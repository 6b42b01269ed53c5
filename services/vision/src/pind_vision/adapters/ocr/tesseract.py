"""Tesseract (Debian's ``tesseract-ocr`` with the ``kor`` and ``eng`` packs),
driven through pytesseract.

Loading the Korean model costs about a quarter of a second per process, more
than reading one line; so every crop of a batch goes to one process as a list
file (one "page" per crop) and comes back as TSV keyed by page number. Large
batches are split over a few processes, one core each.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import pytesseract

from pind_vision.domain.ocr import Image, OcrUnavailable, Word


@dataclass(frozen=True, slots=True)
class TesseractSettings:
    languages: str = "kor+eng"
    # 7: treat the image as a single text line (each crop is one detector box).
    page_segmentation_mode: int = 7
    processes: int = 2
    # Below this many crops a second process costs more than it saves.
    min_crops_per_process: int = 8
    timeout_s: float = 120.0


class TesseractRecogniser:
    """Reads single-line crops in batches."""

    def __init__(self, settings: TesseractSettings | None = None) -> None:
        self._settings = settings or TesseractSettings()
        # Tesseract's OpenMP threads fight each other on a small machine;
        # parallelism comes from several processes instead. An operator's
        # explicit setting wins.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self._checked = False

    def check(self) -> None:
        """Raise :class:`OcrUnavailable` unless the binary and languages exist."""
        if self._checked:
            return
        try:
            installed = set(pytesseract.get_languages(config=""))
        except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError) as exc:
            raise OcrUnavailable(f"tesseract cannot run: {exc}") from exc
        missing = [lang for lang in self._settings.languages.split("+") if lang not in installed]
        if missing:
            raise OcrUnavailable(
                f"tesseract language data missing: {', '.join(missing)} "
                f"(install tesseract-ocr-{' tesseract-ocr-'.join(missing)})"
            )
        self._checked = True

    def read(self, crops: Sequence[Image]) -> list[list[Word]]:
        """The words of each crop, in order."""
        if not crops:
            return []
        self.check()
        per_process = max(
            self._settings.min_crops_per_process, -(-len(crops) // self._settings.processes)
        )
        chunks = [list(crops[i : i + per_process]) for i in range(0, len(crops), per_process)]
        with tempfile.TemporaryDirectory(prefix="pind-tesseract-") as tmp:
            folder = Path(tmp)
            if len(chunks) == 1:
                results = [self._read_chunk(folder, 0, chunks[0])]
            else:
                with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
                    results = list(
                        pool.map(lambda ic: self._read_chunk(folder, *ic), enumerate(chunks))
                    )
        return [words for chunk in results for words in chunk]

    def _read_chunk(self, folder: Path, index: int, crops: list[Image]) -> list[list[Word]]:
        paths = []
        for n, crop in enumerate(crops):
            path = folder / f"c{index}-{n}.png"
            if not cv2.imwrite(str(path), crop):
                raise OSError(f"could not write {path}")
            paths.append(str(path))
        listing = folder / f"list-{index}.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        s = self._settings
        try:
            data: dict[str, list[Any]] = pytesseract.image_to_data(
                str(listing),
                lang=s.languages,
                config=f"--psm {s.page_segmentation_mode}",
                output_type=pytesseract.Output.DICT,
                timeout=s.timeout_s,
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise OcrUnavailable(f"tesseract cannot run: {exc}") from exc
        pages: list[list[Word]] = [[] for _ in crops]
        for level, page, text, conf, left, top, width, height in zip(
            data["level"],
            data["page_num"],
            data["text"],
            data["conf"],
            data["left"],
            data["top"],
            data["width"],
            data["height"],
            strict=True,
        ):
            word = str(text).strip()
            if int(level) != 5 or not word or not 1 <= int(page) <= len(crops):
                continue
            pages[int(page) - 1].append(
                Word(
                    word,
                    max(0.0, float(conf)) / 100.0,
                    int(left),
                    int(top),
                    int(width),
                    int(height),
                )
            )
        return pages
