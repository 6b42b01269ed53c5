"""Frame sampling: new shots, captions appearing, near-duplicates, the caps."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from pind_vision.domain.frames import (
    FrameSampler,
    Reason,
    SampledFrame,
    SamplingPolicy,
    change_score,
    cut_score,
    farthest_first,
    hamming,
    perceptual_hash,
    thumbnail,
)

FPS = 2.0


@pytest.fixture(scope="module")
def shots(render_frame: Any, caption: Any) -> dict[str, np.ndarray]:
    return {
        "street": render_frame([], seed=10),
        "street+caption": render_frame([caption("광장시장 도착!", (200, 300), 26)], seed=10),
        "market": render_frame([], seed=11),
        "park": render_frame([], seed=12),
    }


def timeline(*parts: tuple[np.ndarray, float], jitter: float = 2.0) -> Iterator[tuple[float, Any]]:
    """Looks at ``FPS`` through consecutive shots, each ``(frame, seconds)``, with
    a little sensor noise so no two looks are byte-identical."""
    rng = np.random.default_rng(0)
    shape = parts[0][0].shape
    noises = [rng.normal(0, jitter, shape).astype(np.int16) for _ in range(3)]
    time_s, look = 0.0, 0
    for frame, seconds in parts:
        for _ in range(round(seconds * FPS)):
            noisy = frame.astype(np.int16) + noises[look % len(noises)]
            yield time_s, np.clip(noisy, 0, 255).astype(np.uint8)
            time_s += 1 / FPS
            look += 1


def test_a_still_shot_is_read_once(shots: dict[str, np.ndarray]) -> None:
    sampler = FrameSampler(SamplingPolicy(max_interval_s=10))

    sampled = list(sampler.sample(timeline((shots["street"], 60))))

    assert [(f.time_s, f.reason) for f in sampled] == [(0.0, Reason.CUT)]
    # The max-interval looks came back as duplicates of the first.
    assert sampler.duplicates_dropped == 5


def test_a_caption_appearing_and_a_cut_are_sampled(shots: dict[str, np.ndarray]) -> None:
    sampler = FrameSampler()

    sampled = list(
        sampler.sample(
            timeline((shots["street"], 5), (shots["street+caption"], 5), (shots["market"], 5))
        )
    )

    assert [(f.time_s, f.reason) for f in sampled] == [
        (0.0, Reason.CUT),
        (5.0, Reason.CHANGE),
        (10.0, Reason.CUT),
    ]


def test_a_shot_seen_again_keeps_its_first_sighting(shots: dict[str, np.ndarray]) -> None:
    sampler = FrameSampler()

    sampled = list(
        sampler.sample(timeline((shots["street"], 4), (shots["park"], 4), (shots["street"], 4)))
    )

    assert [f.time_s for f in sampled] == [0.0, 4.0]
    assert sampler.duplicates_dropped == 1


def test_samples_keep_the_minimum_interval_and_the_cap_per_minute(
    render_frame: Any,
) -> None:
    # A new picture at every look for two minutes: far more candidates than allowed.
    pictures = [render_frame([], seed=100 + i) for i in range(8)]
    looks = [(i / FPS, pictures[i % 8]) for i in range(int(120 * FPS))]
    policy = SamplingPolicy(min_interval_s=1.5, max_frames_per_minute=6, duplicate_distance=-1)
    sampler = FrameSampler(policy)

    sampled = list(sampler.sample(looks))

    times = [f.time_s for f in sampled]
    assert all(b - a >= 1.5 for a, b in itertools.pairwise(times))
    assert sum(t < 60 for t in times) == 6
    assert sum(t >= 60 for t in times) == 6
    assert sampler.over_cap_dropped == sampler.candidates - 12


def frame_at(time_s: float, image: np.ndarray, reason: Reason) -> SampledFrame:
    return SampledFrame(time_s, image, reason, 1.0, thumbnail(image))


def test_the_cap_keeps_the_frames_least_alike(shots: dict[str, np.ndarray]) -> None:
    street = [frame_at(t, shots["street"], Reason.CHANGE) for t in (1.0, 2.0, 3.0)]
    park = frame_at(4.0, shots["park"], Reason.CHANGE)
    first = frame_at(0.0, shots["market"], Reason.CUT)

    chosen = farthest_first([*street, park], 2, [first])

    # One of the three identical street frames (the earliest) and the park.
    assert sorted(f.time_s for f in chosen) == [0.0, 1.0, 4.0]


def test_scores_tell_cuts_from_captions(shots: dict[str, np.ndarray]) -> None:
    street = thumbnail(shots["street"])
    captioned = thumbnail(shots["street+caption"])
    market = thumbnail(shots["market"])
    policy = SamplingPolicy()

    assert change_score(street, street) == 0.0
    assert change_score(street, captioned) >= policy.change_threshold
    assert cut_score(street, captioned) < policy.cut_threshold
    assert cut_score(street, market) >= policy.cut_threshold


def test_perceptual_hash_ignores_brightness_not_content(shots: dict[str, np.ndarray]) -> None:
    street = shots["street"]
    brighter = np.clip(street.astype(np.int16) + 25, 0, 255).astype(np.uint8)

    assert hamming(perceptual_hash(street), perceptual_hash(brighter)) <= 4
    assert hamming(perceptual_hash(street), perceptual_hash(shots["park"])) > 16


def test_a_short_last_minute_gets_a_share_of_the_cap(render_frame: Any) -> None:
    # 80 s of a new picture at every look: a full minute, then 20 s.
    pictures = [render_frame([], seed=200 + i) for i in range(8)]
    looks = [(i / FPS, pictures[i % 8]) for i in range(int(80 * FPS))]
    policy = SamplingPolicy(min_interval_s=1.5, max_frames_per_minute=6, duplicate_distance=-1)

    times = [f.time_s for f in FrameSampler(policy).sample(looks)]

    assert sum(t < 60 for t in times) == 6
    assert sum(t >= 60 for t in times) == 2  # ceil(6 * 19.5 s / 60 s)
