"""Which language Whisper is asked for, and how long audio is cut into chunks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pind_transcript.domain.speech import (
    SAMPLE_RATE,
    AudioChunk,
    is_repetition_loop,
    quiet_cut,
    speech_language,
    split_stream,
)

WHISPER = frozenset({"ko", "en", "ja"})


def test_the_declared_language_wins() -> None:
    assert speech_language("en", ["ko", "en"], WHISPER) == "en"
    assert speech_language("ko-KR", ["en"], WHISPER) == "ko"


def test_without_a_declared_language_the_first_preferred_one_whisper_knows() -> None:
    assert speech_language(None, ["ko", "en"], WHISPER) == "ko"
    assert speech_language("tlh", ["xx", "en-US"], WHISPER) == "en"


def test_nothing_known_lets_whisper_detect() -> None:
    assert speech_language(None, ["xx"], WHISPER) is None
    assert speech_language("", [], WHISPER) is None


def _noise(seconds: float, seed: int, level: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(round(seconds * SAMPLE_RATE)) * level).astype(np.float32)


def test_the_cut_falls_in_the_pause() -> None:
    # Speech-like noise, a 0.4 s pause 3 s before the end, more noise.
    audio = np.concatenate([_noise(20, 1), np.zeros(int(0.4 * SAMPLE_RATE), np.float32)])
    pause_from = len(audio) - int(0.4 * SAMPLE_RATE)
    audio = np.concatenate([audio, _noise(2.6, 2)])

    cut = quiet_cut(audio, search_s=10)

    assert pause_from <= cut <= pause_from + int(0.4 * SAMPLE_RATE)


def test_short_audio_is_cut_at_its_end() -> None:
    assert quiet_cut(np.zeros(100, np.float32)) == 100
    assert quiet_cut(np.zeros(0, np.float32)) == 1


def test_long_audio_is_chunked_near_the_pauses_with_offsets() -> None:
    pause = np.zeros(int(0.5 * SAMPLE_RATE), np.float32)
    talk = [_noise(9, seed) for seed in range(4)]
    audio = np.concatenate([part for t in talk for part in (t, pause)])  # 38 s
    blocks = np.array_split(audio, 7)

    chunks = list(split_stream(blocks, chunk_s=12, search_s=5))

    pauses = [(9.0, 9.5), (18.5, 19.0), (28.0, 28.5)]  # each after 9 s of talk
    assert len(chunks) == 4 and chunks[0].offset_s == 0
    for chunk, (pause_start, pause_end) in zip(chunks[1:], pauses, strict=True):
        assert pause_start <= chunk.offset_s <= pause_end
    assert all(c.duration_s <= 12 for c in chunks)
    np.testing.assert_array_equal(np.concatenate([c.samples for c in chunks]), audio)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=40_000), max_size=12),
    st.floats(min_value=0.5, max_value=3.0),
    st.integers(0, 2**16),
)
def test_chunks_rebuild_the_stream_exactly(sizes: list[int], chunk_s: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    blocks = [rng.standard_normal(size).astype(np.float32) for size in sizes]

    chunks = list(split_stream(blocks, chunk_s=chunk_s, search_s=1.0))

    joined = np.concatenate([np.zeros(0, np.float32), *blocks])
    rebuilt = np.concatenate([np.zeros(0, np.float32), *(c.samples for c in chunks)])
    np.testing.assert_array_equal(rebuilt, joined)
    assert all(0 < len(c.samples) <= round(chunk_s * SAMPLE_RATE) for c in chunks)
    offsets = [round(c.offset_s * SAMPLE_RATE) for c in chunks]
    assert offsets == [sum(len(c.samples) for c in chunks[:i]) for i in range(len(chunks))]


def test_chunk_duration() -> None:
    assert AudioChunk(3.0, np.zeros(SAMPLE_RATE * 2, np.float32)).duration_s == 2.0


def test_repetition_loops_are_recognised_by_their_compression_ratio() -> None:
    assert is_repetition_loop("오뚫뚫뚫뚫뚫뚫뚫뚫뚫뚫뚫", 9.5, 2.4)
    assert not is_repetition_loop("This is Gwangjang Market.", 1.1, 2.4)
    assert not is_repetition_loop("   ", 9.0, 2.4)
