"""``YoutubeDL`` instances reused from one metadata read to the next.

Building a ``YoutubeDL`` and making its first request costs far more CPU than
reading a video's info dict: its HTTP handler builds an SSL context and loads
the CA bundle (~35 ms), and each instance registers its extractors. A
:class:`YoutubeDLPool` keeps idle instances for the next read — at most one
per thread reading at a time — each with a private folder for what yt-dlp
writes (a cookie jar copy). An instance whose use raised anything is closed
instead of reused, so no half-finished state carries over. For reads with
fixed options (``extract_info(..., process=False)``); a download whose options
change per video builds its own instance.
"""

from __future__ import annotations

import contextlib
import queue
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yt_dlp

from pind_youtube import recorded

Params = Callable[[Path], dict[str, Any]]
"""The options of a new instance, given the private folder it may write to."""


@dataclass
class _Pooled:
    ydl: yt_dlp.YoutubeDL
    workdir: tempfile.TemporaryDirectory[str]

    def close(self) -> None:
        try:
            self.ydl.close()
        finally:
            self.workdir.cleanup()


class YoutubeDLPool:
    """Idle ``YoutubeDL`` instances built by ``params``; YouTube answered by the
    recorded-info server when ``recorded_url`` is set (the fake YouTube)."""

    def __init__(self, params: Params, *, recorded_url: str | None = None, prefix: str) -> None:
        self._params = params
        self._recorded_url = recorded_url
        self._prefix = prefix
        self._idle: queue.SimpleQueue[_Pooled] = queue.SimpleQueue()

    def _new(self) -> _Pooled:
        workdir = tempfile.TemporaryDirectory(prefix=self._prefix)
        try:
            ydl = yt_dlp.YoutubeDL(self._params(Path(workdir.name)))
        except BaseException:
            workdir.cleanup()
            raise
        if self._recorded_url:
            recorded.register(ydl, self._recorded_url)
        return _Pooled(ydl, workdir)

    @contextlib.contextmanager
    def borrow(self) -> Iterator[yt_dlp.YoutubeDL]:
        """An idle instance, or a new one; back to the idle ones after a use that
        raised nothing, closed after one that did. Blocking: call it in a thread."""
        try:
            pooled = self._idle.get_nowait()
        except queue.Empty:
            pooled = self._new()
        try:
            yield pooled.ydl
        except BaseException:
            pooled.close()
            raise
        self._idle.put(pooled)

    def close(self) -> None:
        """Close the idle instances (one borrowed now is closed by its borrower
        if it fails, or comes back and waits for the next close)."""
        while True:
            try:
                pooled = self._idle.get_nowait()
            except queue.Empty:
                return
            with contextlib.suppress(Exception):
                pooled.close()
