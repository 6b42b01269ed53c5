"""Kept job-status answers go as soon as a change that may touch them is heard."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from pind_contracts import JOB_STAGE
from pind_gateway.core.cache import InvalidatingWatch, JobAnswerCache
from pind_gateway.core.deps import GatewayContext

ANALYSIS = uuid.uuid4()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _cache(clock: Clock | None = None, *, live: bool = True, size: int = 100) -> JobAnswerCache:
    return JobAnswerCache(ttl_s=2.0, size=size, live=lambda: live, clock=clock or Clock())


def _keep(cache: JobAnswerCache, job_id: uuid.UUID, analysis_id: uuid.UUID, video_id: str) -> None:
    cache.put(job_id, analysis_id, video_id, b"{}", read_at_generation=cache.generation)


def test_an_answer_is_served_until_its_time_is_up() -> None:
    clock = Clock()
    cache = _cache(clock)
    job = uuid.uuid4()
    _keep(cache, job, ANALYSIS, "v1")
    clock.now = 1.9
    assert cache.get(job) == b"{}"
    clock.now = 2.0
    assert cache.get(job) is None


def test_a_change_of_the_analysis_drops_every_job_of_its_video() -> None:
    cache = _cache()
    lead, joined, older, elsewhere = (uuid.uuid4() for _ in range(4))
    other_analysis = uuid.uuid4()
    _keep(cache, lead, ANALYSIS, "v1")
    _keep(cache, joined, ANALYSIS, "v1")
    _keep(cache, older, other_analysis, "v1")  # an earlier analysis of the same video
    _keep(cache, elsewhere, uuid.uuid4(), "v2")

    cache.changed(ANALYSIS)

    assert [cache.get(j) for j in (lead, joined, older)] == [None, None, None]
    assert cache.get(elsewhere) == b"{}"


def test_a_change_of_an_analysis_nobody_polled_here_waits_for_the_ttl() -> None:
    clock = Clock()
    cache = _cache(clock)
    job = uuid.uuid4()
    _keep(cache, job, ANALYSIS, "v1")
    cache.changed(uuid.uuid4())  # e.g. a new analysis of v1 nobody here asked about
    assert cache.get(job) == b"{}"
    clock.now = 2.0
    assert cache.get(job) is None


def test_a_read_overtaken_by_a_change_is_not_kept() -> None:
    cache = _cache()
    job = uuid.uuid4()
    started_at = cache.generation
    cache.changed(ANALYSIS)
    cache.put(job, ANALYSIS, "v1", b"{}", read_at_generation=started_at)
    assert cache.get(job) is None


def test_a_read_is_kept_when_only_other_analyses_changed_meanwhile() -> None:
    cache = _cache()
    job = uuid.uuid4()
    started_at = cache.generation
    cache.changed(uuid.uuid4())  # the projection folding some other analysis
    cache.put(job, ANALYSIS, "v1", b"{}", read_at_generation=started_at)
    assert cache.get(job) == b"{}"


def test_a_read_overtaken_by_a_change_of_its_video_is_not_kept() -> None:
    cache = _cache()
    polled, other = uuid.uuid4(), uuid.uuid4()
    other_analysis = uuid.uuid4()
    _keep(cache, other, other_analysis, "v1")  # so the change's video is known here
    started_at = cache.generation
    cache.changed(other_analysis)
    cache.put(polled, ANALYSIS, "v1", b"{}", read_at_generation=started_at)
    assert cache.get(polled) is None


def test_a_read_older_than_the_changes_remembered_is_not_kept() -> None:
    cache = JobAnswerCache(ttl_s=1.0, size=10, live=lambda: True, remembered=2)
    job = uuid.uuid4()
    started_at = cache.generation
    for _ in range(3):  # the first change, maybe of this job's analysis, is forgotten
        cache.changed(uuid.uuid4())
    cache.put(job, ANALYSIS, "v1", b"{}", read_at_generation=started_at)
    assert cache.get(job) is None
    fresh = cache.generation
    cache.put(job, ANALYSIS, "v1", b"{}", read_at_generation=fresh)
    assert cache.get(job) == b"{}"


def test_a_read_started_before_everything_was_dropped_is_not_kept() -> None:
    cache = _cache()
    job = uuid.uuid4()
    started_at = cache.generation
    cache.clear()  # the listener reconnected: changes may have been missed
    cache.put(job, ANALYSIS, "v1", b"{}", read_at_generation=started_at)
    assert cache.get(job) is None


def test_nothing_is_kept_or_served_while_changes_cannot_be_heard() -> None:
    deaf = _cache(live=False)
    job = uuid.uuid4()
    _keep(deaf, job, ANALYSIS, "v1")
    assert deaf.get(job) is None


def test_the_oldest_answer_makes_room() -> None:
    cache = _cache(size=2)
    first, second, third = (uuid.uuid4() for _ in range(3))
    for job in (first, second, third):
        _keep(cache, job, uuid.uuid4(), f"v-{job}")
    assert cache.get(first) is None
    assert cache.get(second) == b"{}"
    assert cache.get(third) == b"{}"


def test_the_watch_tells_the_cache_and_still_wakes_waiters() -> None:
    cache = _cache()
    watch = InvalidatingWatch(cache)
    job = uuid.uuid4()
    _keep(cache, job, ANALYSIS, "v1")
    with watch.subscribe(ANALYSIS) as woken:
        watch.notify(ANALYSIS)
        assert woken.is_set()
    assert cache.get(job) is None

    _keep(cache, job, ANALYSIS, "v1")
    watch.notify_all()  # the listener reconnected: it may have missed changes
    assert cache.get(job) is None


async def test_a_polled_job_shows_the_change_once_it_is_announced(
    events: Any,
    client: httpx.AsyncClient,
    context: GatewayContext,
    play: Callable[..., Any],
) -> None:
    video_id = events.video_id()
    answer = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    job_id = uuid.UUID(answer.json()["job_id"])
    assert (await client.get(f"/api/v1/jobs/{job_id}")).json()["state"] == "queued"
    assert context.job_answers.get(job_id) is not None  # the answer is kept

    with context.watch.subscribe(job_id) as announced:
        await play(
            job_id, video_id, [(JOB_STAGE, events.stage(job_id, video_id, "ingest", "started"))]
        )
        await announced.wait()

    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert (job["state"], job["stages"]["ingest"]["state"]) == ("running", "running")
