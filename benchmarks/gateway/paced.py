"""The job-status GET's tail while the gateway projects (issue 12: p99 at
most 10 ms paced at 1,000 req/s with the whole stack running).

The same paced ``wrk`` run (about 1,000 req/s in all) against gateway setups
that each, while serving, project a steady feed of job-stage events in a
consumer group of their own (started at the topics' ends):

- ``all-in-one``: ``pind-gateway`` with ``PIND_ROLE=all``: every server
  process consumes, projects, relays and sweeps in the loop that serves;
- ``split``: ``pind-gateway`` with ``PIND_ROLE=api`` beside
  ``pind-gateway projector`` (what ``make up``, compose and k8s run);
- ``unprojected``: ``PIND_ROLE=api`` alone: the feed is sent but nobody
  projects it (the floor: the same machine, no projection at all).

The feed: ``feed_rate`` progress reports per second (in bursts every 10 ms,
or one at a time below 100/s)
for ``jobs`` jobs submitted through the setup, from before wrk's warm-up
until it ends. The GETs ask for one more job, which the feed leaves alone:
its answer is the API's cached one, so what the setups' figures differ by is
what else the serving processes do (the NOTIFYs of the feed's changes reach
the API processes in every setup). Each result says how many fed events the
setup had projected when wrk stopped.
Setups alternate ``repeat`` times: on a shared machine only figures of one
run, side by side, compare.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from benchmarks.gateway.status import PACED_CONNECTIONS, PACED_RATE, WARM_UP_S, video_id
from benchmarks.gateway.wrk import PACED_LUA, WrkResult, run_wrk
from benchmarks.gateway_processes import running
from pind_contracts import JOB_STAGE, PLACES_EXTRACTED, USER, VIDEO_INGESTED, Envelope, JobStage
from pind_gateway.settings import GatewaySettings
from pind_kit.db import PROCESSED_EVENTS, make_engine
from pind_kit.testing import commit_group_at_end

SETUPS = ("all-in-one", "split", "unprojected")
FEED_TICK_S = 0.01
RELAY_POLL_S = GatewaySettings.model_fields["relay_poll_interval_s"].default
PROJECTED = (JOB_STAGE, VIDEO_INGESTED, PLACES_EXTRACTED, USER)


@dataclass(frozen=True)
class PacedResult:
    setup: str
    wrk: WrkResult
    fed: int
    projected: int


def processes_of(setup: str, common: dict[str, str]) -> dict[str, dict[str, str]]:
    """The gateway processes of ``setup``, each with its extra environment."""
    if setup == "all-in-one":
        return {"gateway": {**common, "PIND_ROLE": "all", "PIND_RUN_PROJECTION": "true"}}
    if setup == "split":
        return {
            "gateway": {**common, "PIND_ROLE": "api"},
            "projector": {**common, "PIND_ROLE": "projector"},
        }
    if setup == "unprojected":
        return {"gateway": {**common, "PIND_ROLE": "api"}}
    raise ValueError(f"unknown setup {setup!r} (known: {', '.join(SETUPS)})")


async def bench_paced(
    settings: GatewaySettings,
    duration_s: int,
    *,
    setups: Sequence[str] = ("all-in-one", "split"),
    repeat: int = 1,
    feed_rate: int = 500,
    jobs: int = 50,
    gateway_env: dict[str, str] | None = None,
    wrk_cpus: Sequence[int] = (),
) -> list[PacedResult]:
    """Each of ``setups`` in turn, ``repeat`` times (see the module's doc)."""
    for setup in setups:
        processes_of(setup, {})  # an unknown name fails before anything starts
    results = []
    for _ in range(repeat):
        for setup in setups:
            results.append(
                await _one_setup(
                    settings, setup, duration_s, feed_rate, jobs, gateway_env or {}, wrk_cpus
                )
            )
    return results


async def _one_setup(
    settings: GatewaySettings,
    setup: str,
    duration_s: int,
    feed_rate: int,
    jobs: int,
    gateway_env: dict[str, str],
    wrk_cpus: Sequence[int],
) -> PacedResult:
    group = f"pind-gateway-bench-paced-{uuid.uuid4().hex[:8]}"
    prefix = settings.kafka_topic_prefix
    await commit_group_at_end(settings.kafka_bootstrap, group, PROJECTED, prefix=prefix)
    await commit_group_at_end(
        settings.kafka_bootstrap, f"{group}-revocations", [USER], prefix=prefix
    )
    common = {
        "PIND_CONSUMER_GROUP": group,
        "PIND_LOG_LEVEL": "WARNING",
        "PIND_GUEST_SUBMISSIONS_PER_WINDOW": "100000000",
        # The stack's poll interval (gateway_processes' own default is shorter).
        "PIND_RELAY_POLL_INTERVAL_S": str(RELAY_POLL_S),
        **gateway_env,
    }
    with tempfile.TemporaryDirectory() as logs:
        async with running(settings, Path(logs), **processes_of(setup, common)) as started:
            base = started["gateway"].url
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                job_ids = []
                for _ in range(jobs + 1):
                    v = video_id()
                    answer = await http.post(
                        "/api/v1/videos", json={"url": f"https://youtu.be/{v}"}
                    )
                    answer.raise_for_status()
                    job_ids.append((uuid.UUID(answer.json()["job_id"]), v))
            watched, *job_ids = job_ids
            url = f"{base}/api/v1/jobs/{watched[0]}"
            delay = {"PIND_BENCH_DELAY_MS": str(PACED_CONNECTIONS * 1000 // PACED_RATE)}
            async with _feed(settings, job_ids, feed_rate) as fed:
                await asyncio.to_thread(
                    run_wrk, url, PACED_CONNECTIONS, WARM_UP_S, script=PACED_LUA, env=delay
                )
                paced = await asyncio.to_thread(
                    run_wrk,
                    url,
                    PACED_CONNECTIONS,
                    duration_s,
                    script=PACED_LUA,
                    env=delay,
                    cpus=wrk_cpus,
                )
                projected = await _projected(settings, group)
    return PacedResult(setup, paced, fed.count, projected)


class _Fed:
    count = 0


@contextlib.asynccontextmanager
async def _feed(
    settings: GatewaySettings, job_ids: list[tuple[uuid.UUID, str]], rate: int
) -> AsyncIterator[_Fed]:
    """Send ``rate`` progress reports per second, round the jobs, until the block ends."""
    fed = _Fed()
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=5)
    await producer.start()
    topic = settings.kafka_topic_prefix + JOB_STAGE.name

    async def run() -> None:
        tick_s = max(FEED_TICK_S, 1 / rate)  # below 100/s: one event a tick, fewer ticks
        per_tick = max(1, round(rate * tick_s))
        due = time.monotonic()
        while True:
            for _ in range(per_tick):
                job_id, v = job_ids[fed.count % len(job_ids)]
                step = fed.count // len(job_ids)
                payload = JobStage(
                    job_id=job_id,
                    video_id=v,
                    stage="transcript" if step % 2 else "vision",
                    state="progress",
                    progress=min(0.99, step / 100_000),
                )
                envelope = Envelope(
                    type=JOB_STAGE.event_type,
                    producer="bench",
                    subject=v,
                    job_id=job_id,
                    occurred_at=datetime.now(UTC),
                )
                await producer.send(
                    topic,
                    value=payload.model_dump_json().encode(),
                    key=v.encode(),
                    headers=envelope.to_headers(),
                )
                fed.count += 1
            due += tick_s
            await asyncio.sleep(max(0.0, due - time.monotonic()))  # the pace is the point

    task = asyncio.create_task(run(), name="bench-feed")
    try:
        yield fed
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await producer.stop()


async def _projected(settings: GatewaySettings, group: str) -> int:
    """Events the setup's projection marked processed so far."""
    engine = make_engine(settings)
    try:
        async with engine.connect() as connection:
            done = await connection.scalar(
                select(func.count())
                .select_from(PROCESSED_EVENTS)
                .where(PROCESSED_EVENTS.c.consumer == group)
            )
    finally:
        await engine.dispose()
    return int(done or 0)
