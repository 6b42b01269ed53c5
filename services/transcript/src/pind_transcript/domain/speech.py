"""Speech-to-text decisions that need no model and no network: which language
to ask Whisper for, and where to cut long audio into chunks. Pure: arrays and
strings in, values out."""

from __future__ import annotations

from collections.abc import Collection, Generator, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pind_transcript.domain.choice import base_language

SAMPLE_RATE = 16_000  # what Whisper listens to
QUIET_SEARCH_S = 10.0
QUIET_WINDOW_S = 0.1

Samples = npt.NDArray[np.float32]


def speech_language(
    declared: str | None, preferred: Sequence[str], supported: Collection[str]
) -> str | None:
    """The language Whisper is told the video speaks: the one its metadata
    declares, else the first preferred language Whisper knows; None lets
    Whisper detect it. ``'ko-KR'`` is asked as ``'ko'``."""
    for code in [declared, *preferred]:
        if code and base_language(code) in supported:
            return base_language(code)
    return None


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """Mono samples at :data:`SAMPLE_RATE`, starting ``offset_s`` into the audio."""

    offset_s: float
    samples: Samples

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def quiet_cut(samples: Samples, search_s: float = QUIET_SEARCH_S) -> int:
    """Where to end a chunk of ``samples``: the middle of the quietest
    :data:`QUIET_WINDOW_S` window in its last ``search_s`` seconds, so a cut
    falls between words rather than inside one. Always in ``1..len(samples)``."""
    window = max(1, round(QUIET_WINDOW_S * SAMPLE_RATE))
    search_from = max(0, len(samples) - round(search_s * SAMPLE_RATE))
    tail = samples[search_from:]
    count = len(tail) // window
    if count < 2:
        return max(1, len(samples))
    energy = np.square(tail[: count * window].astype(np.float64)).reshape(count, window).sum(axis=1)
    # The last quietest window: a longer first chunk means fewer cuts overall.
    quietest = count - 1 - int(np.argmin(energy[::-1]))
    return max(1, search_from + quietest * window + window // 2)


def split_stream(
    blocks: Iterable[Samples], chunk_s: float, search_s: float = QUIET_SEARCH_S
) -> Generator[AudioChunk, None, None]:
    """Regroup decoded ``blocks`` into chunks of at most ``chunk_s`` seconds,
    each cut at a quiet moment (see :func:`quiet_cut`). The chunks, joined,
    are exactly the blocks, joined; only about one chunk is held at a time."""
    chunk_len = max(1, round(chunk_s * SAMPLE_RATE))
    pending: list[Samples] = []
    pending_len = 0
    offset = 0
    for block in blocks:
        if not len(block):
            continue
        pending.append(block)
        pending_len += len(block)
        while pending_len >= chunk_len:
            joined = np.concatenate(pending)
            cut = quiet_cut(joined[:chunk_len], min(search_s, chunk_s / 2))
            yield AudioChunk(offset / SAMPLE_RATE, joined[:cut])
            offset += cut
            pending, pending_len = [joined[cut:]], len(joined) - cut
    if pending_len:
        yield AudioChunk(offset / SAMPLE_RATE, np.concatenate(pending))


def is_repetition_loop(text: str, compression_ratio: float, threshold: float) -> bool:
    """Whisper's known failure on unclear audio: one syllable or phrase repeated
    until the window ends. Its compression ratio gives it away even after
    Whisper's own temperature fallback has given up."""
    return bool(text.strip()) and compression_ratio > threshold
