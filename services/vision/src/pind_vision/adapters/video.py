"""Reading a downloaded video file's frames with OpenCV (its bundled FFmpeg)."""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from pathlib import Path

import cv2
import numpy as np

from pind_vision.domain.media import VideoInfo, VideoUnreadable
from pind_vision.domain.ocr import Image

__all__ = ["OpenCvFrames", "VideoInfo", "VideoUnreadable", "probe", "read_frames"]


@contextlib.contextmanager
def _capture(path: Path) -> Iterator[cv2.VideoCapture]:
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise VideoUnreadable(f"cannot open {path.name} as a video")
        yield capture
    finally:
        capture.release()


def probe(path: Path) -> VideoInfo:
    """Frame rate, frame count and size from the container."""
    with _capture(path) as capture:
        info = VideoInfo(
            fps=float(capture.get(cv2.CAP_PROP_FPS) or 0.0),
            frame_count=int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0),
            width=int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0),
            height=int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0),
        )
    if info.width <= 0 or info.height <= 0:
        raise VideoUnreadable(f"{path.name} has no video picture")
    return info


def read_frames(
    path: Path, every_s: float, max_height: int = 720
) -> Generator[tuple[float, Image], None, None]:
    """``(time_s, BGR frame)`` about every ``every_s`` seconds, decoding every
    frame (inter frames need their predecessors) but converting only those
    returned. Frames taller than ``max_height`` are scaled down."""
    with _capture(path) as capture:
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        if fps <= 0 or fps > 1000:
            fps = 30.0  # some containers do not say; timestamps still come from the stream
        index = 0
        next_time = 0.0
        while capture.grab():
            position_ms = capture.get(cv2.CAP_PROP_POS_MSEC)
            time_s = position_ms / 1000.0 if position_ms and position_ms > 0 else index / fps
            index += 1
            if time_s + 1e-6 < next_time:
                continue
            ok, frame = capture.retrieve()
            if not ok or frame is None:
                continue
            next_time = (int(time_s / every_s) + 1) * every_s
            if frame.shape[0] > max_height:
                scale = max_height / frame.shape[0]
                frame = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            yield time_s, np.asarray(frame, dtype=np.uint8)


class OpenCvFrames:
    """The service's frame reader: :func:`probe` and :func:`read_frames`."""

    def probe(self, path: Path) -> VideoInfo:
        return probe(path)

    def read_frames(self, path: Path, every_s: float) -> Generator[tuple[float, Image], None, None]:
        return read_frames(path, every_s)
