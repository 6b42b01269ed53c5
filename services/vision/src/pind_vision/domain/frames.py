"""Choosing the frames worth reading: where the picture changes, at most so
often, never two near-identical ones, and a bounded number per minute.

Pure: works on arrays and times; reading the video is :mod:`pind_vision.adapters.video`.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from enum import IntEnum

import cv2
import numpy as np
import numpy.typing as npt

from pind_vision.domain.ocr import Image

THUMB_SIZE = (64, 36)  # width, height of the grey picture changes are measured on
GRID = 4  # change_score: GRID x GRID cells, so a caption appearing in a corner counts
CUT_GRID = 6  # cut_score: finer cells, so the share of the picture that changed is smooth
CELL_CHANGE = 0.06  # mean absolute change (0..1) that makes a grid cell "changed"
HASH_SIZE = 8  # perceptual hash: HASH_SIZE**2 bits from a 32x32 DCT


@dataclass(frozen=True, slots=True)
class SamplingPolicy:
    """How frames are picked; the defaults suit vlogs read on a small CPU."""

    analysis_fps: float = 2.0  # how often the picture is looked at
    min_interval_s: float = 1.0  # never two samples closer than this
    max_interval_s: float = 12.0  # a sample at least this often while the video runs
    # Share of the picture changed between two looks that makes a new shot; on
    # the samples cuts measure 0.56+, pans and passers-by at most 0.36.
    cut_threshold: float = 0.45
    change_threshold: float = 0.12  # 0..1 change since the last sample, see change_score
    duplicate_distance: int = 6  # pHash bits (of 64) within which frames may be the same
    duplicate_memory: int = 24  # how many recent samples a new one is compared with
    max_frames_per_minute: int = 10


class Reason(IntEnum):
    """Why a frame was sampled; a higher reason wins a place under the per-minute cap."""

    INTERVAL = 0  # nothing changed for max_interval_s
    CHANGE = 1  # part of the picture changed (a caption, a sign coming into view)
    CUT = 2  # a new shot began


@dataclass(frozen=True, slots=True)
class SampledFrame:
    """A frame chosen for OCR."""

    time_s: float
    image: Image
    reason: Reason
    change: float  # how different it was from the previous sample (1.0 for the first)
    thumb: npt.NDArray[np.float32]  # what it is compared on, see thumbnail()


@dataclass(frozen=True, slots=True)
class _Kept:
    phash: int
    thumb: npt.NDArray[np.float32]


def thumbnail(image: Image) -> npt.NDArray[np.float32]:
    """A small grey copy, values 0..1, on which frames are compared."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey, THUMB_SIZE, interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.float32) / 255.0


def _cells(diff: npt.NDArray[np.float32], grid: int = GRID) -> npt.NDArray[np.float32]:
    height, width = diff.shape
    trimmed = diff[: height - height % grid, : width - width % grid]
    return np.asarray(
        trimmed.reshape(grid, height // grid, grid, width // grid).mean(axis=(1, 3)),
        dtype=np.float32,
    )


def _histogram_distance(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    hist_a = cv2.calcHist([a], [0], None, [32], [0.0, 1.0])
    hist_b = cv2.calcHist([b], [0], None, [32], [0.0, 1.0])
    return float(cv2.compareHist(hist_a, hist_b, cv2.HISTCMP_BHATTACHARYYA))


def cut_score(before: npt.NDArray[np.float32], after: npt.NDArray[np.float32]) -> float:
    """How likely ``after`` starts a new shot, 0..1: the share of grid cells
    whose picture changed. People walking by or a slow pan change a few cells;
    a cut changes nearly all of them."""
    return float((_cells(np.abs(before - after), CUT_GRID) > CELL_CHANGE).mean())


def change_score(before: npt.NDArray[np.float32], after: npt.NDArray[np.float32]) -> float:
    """How much the picture changed anywhere, 0 (same) .. 1: the larger of the
    histogram distance and the biggest mean change in one grid cell, so a
    caption appearing over the same scene counts."""
    local = float(_cells(np.abs(before - after)).max())
    # A mean absolute change of 0.25 in one cell is a big change: scale it to ~1.
    return min(1.0, max(_histogram_distance(before, after), local * 4.0))


def perceptual_hash(image: Image) -> int:
    """A 64-bit pHash: signs of the low DCT frequencies of a 32x32 grey copy."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:HASH_SIZE, :HASH_SIZE].flatten()
    bits = low[1:] > np.median(low[1:])  # skip the DC term: brightness alone is no change
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return value


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


@dataclass
class FrameSampler:
    """Turns a stream of ``(time_s, frame)`` into the frames worth reading.

    A frame is a candidate when a new shot starts, when the picture changed
    enough since the last candidate, or when ``max_interval_s`` passed without
    one; never within ``min_interval_s`` of the last. A candidate that looks
    like a recent one (close perceptual hash *and* no part of the picture
    changed) is dropped, so the earlier keeps the first-seen time. Within each
    minute at most ``max_frames_per_minute`` candidates stay: new shots first,
    then, one by one, the candidate least like any kept so far (so a minute
    of camera shake does not crowd out a new sign).
    """

    policy: SamplingPolicy = field(default_factory=SamplingPolicy)
    position_s: float = 0.0  # how far the stream has been read
    candidates: int = 0
    duplicates_dropped: int = 0
    over_cap_dropped: int = 0

    def sample(self, frames: Iterable[tuple[float, Image]]) -> Generator[SampledFrame, None, None]:
        policy = self.policy
        previous: npt.NDArray[np.float32] | None = None  # the last frame looked at
        last: npt.NDArray[np.float32] | None = None  # the last candidate
        last_time = -1e9
        recent: list[_Kept] = []
        bucket: list[SampledFrame] = []
        bucket_minute = 0
        for time_s, image in frames:
            self.position_s = time_s
            minute = int(time_s // 60)
            if minute != bucket_minute:
                yield from self._close(bucket)
                bucket, bucket_minute = [], minute
            thumb = thumbnail(image)
            is_cut = previous is not None and cut_score(previous, thumb) >= policy.cut_threshold
            previous = thumb
            since = time_s - last_time
            if since < policy.min_interval_s:
                continue
            change = 1.0 if last is None else change_score(last, thumb)
            if last is None or is_cut:
                reason = Reason.CUT
            elif change >= policy.change_threshold:
                reason = Reason.CHANGE
            elif since >= policy.max_interval_s:
                reason = Reason.INTERVAL
            else:
                continue
            last, last_time = thumb, time_s
            self.candidates += 1
            phash = perceptual_hash(image)
            if self._seen(phash, thumb, recent):
                self.duplicates_dropped += 1
                continue
            recent = [*recent[-(policy.duplicate_memory - 1) :], _Kept(phash, thumb)]
            bucket.append(SampledFrame(time_s, image, reason, change, thumb))
        # The last minute may be short: its cap shrinks with it, so a 24 s clip
        # is not read as densely as four minutes of a long one.
        yield from self._close(bucket, self.position_s - bucket_minute * 60)

    def _seen(self, phash: int, thumb: npt.NDArray[np.float32], recent: list[_Kept]) -> bool:
        # pHash alone would call two frames with different captions over the
        # same shot the same; the cell check keeps them apart.
        policy = self.policy
        return any(
            hamming(phash, kept.phash) <= policy.duplicate_distance
            and change_score(kept.thumb, thumb) < policy.change_threshold
            for kept in recent
        )

    def _close(self, bucket: list[SampledFrame], span_s: float = 60.0) -> list[SampledFrame]:
        cap = max(1, math.ceil(self.policy.max_frames_per_minute * min(1.0, span_s / 60.0)))
        if len(bucket) <= cap:
            return bucket
        self.over_cap_dropped += len(bucket) - cap
        cuts = [f for f in bucket if f.reason == Reason.CUT]
        rest = [f for f in bucket if f.reason != Reason.CUT]
        chosen = farthest_first(cuts, cap, [])
        chosen = farthest_first(rest, cap - len(chosen), chosen)
        return sorted(chosen, key=lambda f: f.time_s)


def farthest_first(
    pool: list[SampledFrame], count: int, chosen: list[SampledFrame]
) -> list[SampledFrame]:
    """``chosen`` plus up to ``count`` frames of ``pool``, each time the one
    whose nearest chosen frame is farthest (the earliest on ties; the first
    frame of the pool when nothing is chosen yet). Distance is
    :func:`cut_score`: how much of the picture differs."""
    chosen = list(chosen)
    remaining = list(pool)
    nearest = [min((cut_score(c.thumb, f.thumb) for c in chosen), default=1.0) for f in remaining]
    for _ in range(min(count, len(remaining))):
        index = max(range(len(remaining)), key=lambda i: (nearest[i], -remaining[i].time_s))
        pick = remaining.pop(index)
        nearest.pop(index)
        chosen.append(pick)
        nearest = [
            min(d, cut_score(pick.thumb, f.thumb)) for d, f in zip(nearest, remaining, strict=True)
        ]
    return chosen
