"""Turning a detected text box into pictures Tesseract reads well.

Tesseract wants dark text on a light background at a cap height of roughly
30–40 px. Video captions are often light text with a dark outline over a busy
picture, where its own Otsu binarisation picks the wrong layer; so each box is
offered in a few versions and the most confident read wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from pind_vision.domain.ocr import Box, Image

TARGET_HEIGHT = 64  # pixels of the crop (text plus a little margin)
MAX_UPSCALE = 4.0
PAD_FRACTION = 0.12  # of the box height, around the detector's box
QUIET_ZONE = 12  # white pixels Tesseract wants around a line


@dataclass(frozen=True, slots=True)
class CropVariant:
    """One way of showing a text box to the recogniser."""

    name: str
    image: Image


def to_grey(image: Image) -> Image:
    if image.ndim == 2:
        return image
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)


def crop(grey: Image, box: Box) -> Image:
    """``box`` with a margin, scaled so the line is about ``TARGET_HEIGHT`` tall."""
    pad = max(2, round(box.height * PAD_FRACTION))
    height, width = grey.shape[:2]
    y0, y1 = max(0, box.y - pad), min(height, box.bottom + pad)
    x0, x1 = max(0, box.x - pad), min(width, box.right + pad)
    region = grey[y0:y1, x0:x1]
    scale = min(MAX_UPSCALE, TARGET_HEIGHT / max(1, region.shape[0]))
    if scale <= 1.05:
        return region
    scaled = cv2.resize(region, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return np.asarray(scaled, dtype=np.uint8)


SIGNATURE_SIZE = (48, 12)  # width, height of the picture lines are compared on


def signature(region: Image) -> npt.NDArray[np.float32]:
    """A small contrast-stretched copy of a line's crop: two crops of one
    line in consecutive frames match here, a changed word does not."""
    small = cv2.resize(region, SIGNATURE_SIZE, interpolation=cv2.INTER_AREA).astype(np.float32)
    low, high = float(small.min()), float(small.max())
    return np.asarray((small - low) * (255.0 / max(1.0, high - low)), dtype=np.float32)


def _otsu(values: Image) -> float:
    if values.size == 0:
        return 127.0
    threshold, _ = cv2.threshold(values.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(threshold)


def text_is_light(region: Image) -> bool:
    """Whether the text is lighter than what surrounds it. Glyph strokes cover
    well under half of a line's middle band, so the rarer of the two Otsu
    layers there is the ink (the border is no guide: a detector box often
    reaches past a caption's own background into the picture)."""
    threshold = _otsu(region)
    height = region.shape[0]
    band = region[height // 4 : max(height // 4 + 1, 3 * height // 4)]
    return float(np.mean(band > threshold)) < 0.5


def _drop_edge_blobs(ink: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Ink that touches the crop's edge is picture, not glyphs: the crop has a
    margin around the detected line."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    height, width = ink.shape
    x, y, w, h = (stats[:, i] for i in range(4))
    touches = (x == 0) | (y == 0) | (x + w >= width) | (y + h >= height)
    touches[0] = False  # label 0 is the background
    return np.asarray(ink & ~touches[labels], dtype=np.bool_)


def _with_quiet_zone(image: Image) -> Image:
    return np.asarray(
        cv2.copyMakeBorder(
            image, QUIET_ZONE, QUIET_ZONE, QUIET_ZONE, QUIET_ZONE, cv2.BORDER_CONSTANT, value=255
        ),
        dtype=np.uint8,
    )


def variants(region: Image) -> list[CropVariant]:
    """The versions of one crop offered to the recogniser:

    - ``grey``: contrast-stretched, turned so the text is dark;
    - ``bright``: only the brightest layer as ink (light captions with outlines);
    - ``dark``: only the darkest layer as ink (dark text, or the outline case turned round).
    """
    low, high = int(region.min()), int(region.max())
    span = max(1, high - low)
    stretched = ((region.astype(np.int32) - low) * 255 // span).astype(np.uint8)
    grey = 255 - stretched if text_is_light(stretched) else stretched
    # Sensor noise survives a hard threshold as specks between the letters
    # ("Gwangjang!Market"); a 3x3 median removes it and keeps the strokes.
    smooth = np.asarray(cv2.medianBlur(stretched, 3), dtype=np.uint8)
    split = _otsu(smooth)
    upper = smooth[smooth > split]
    lower = smooth[smooth <= split]
    bright_ink = smooth >= _otsu(upper) if upper.size else smooth > split
    dark_ink = smooth <= _otsu(lower) if lower.size else smooth <= split
    bright = np.where(_drop_edge_blobs(bright_ink), 0, 255).astype(np.uint8)
    dark = np.where(_drop_edge_blobs(dark_ink), 0, 255).astype(np.uint8)
    return [
        CropVariant("grey", _with_quiet_zone(grey)),
        CropVariant("bright", _with_quiet_zone(bright)),
        CropVariant("dark", _with_quiet_zone(dark)),
    ]
