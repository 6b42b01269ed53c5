"""``python -m benchmarks.gateway``: the gateway's throughput on this machine.

1. job-status GET: ``wrk`` against a real gateway (``pind-gateway``, its
   default worker processes, projection off), one job, keep-alive
   connections: requests/s and p50/p99 latency flat out, then p50/p99 with
   each connection paced by wrk's ``delay()`` to offer about 1,000 req/s in
   all (Debian ships wrk, not wrk2; the rate achieved is printed);
2. submissions through the outbox to Kafka: ``wrk`` POSTs a new video per
   request to a real gateway; the jobs it created, over the time from the
   first request until every one's ``pind.video.requested`` record is on
   the broker (relay included);
3. the projection's rate: job-stage events pre-filled into the topic for jobs
   that exist, then a fresh consumer group projects them into PostgreSQL,
   timed until every event's processed mark is written.

Settings come from the environment as for ``pind-gateway`` (``.run/env``).
Each step uses its own videos, jobs and consumer groups; nothing else is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import func, select

from benchmarks.gateway_processes import running
from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    USER,
    VIDEO_INGESTED,
    VIDEO_REQUESTED,
    Envelope,
    JobStage,
)
from pind_gateway.app import create_app
from pind_gateway.core.models import Job
from pind_gateway.core.watch import AnalysisWatch
from pind_gateway.settings import GatewaySettings
from pind_kit.consume import Worker
from pind_kit.db import PROCESSED_EVENTS, make_engine
from pind_kit.logging import configure_logging
from pind_kit.topics import ensure_topics

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


PACED_LUA = """
-- Each connection waits PIND_BENCH_DELAY_MS after every answer: a fixed
-- offered rate of connections * 1000 / delay requests per second at most.
local delay_ms = tonumber(os.getenv("PIND_BENCH_DELAY_MS"))
function delay() return delay_ms end
"""

SUBMIT_LUA = """
-- Every request submits a video nobody asked for before:
-- <run prefix, 4 chars><wrk thread, 1 digit><count, 6 digits>.
local prefix = os.getenv("PIND_BENCH_VIDEO_PREFIX")
local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
local count = 0
function request()
  count = count + 1
  local video = string.format("%s%d%06d", prefix, thread_id, count)
  return wrk.format("POST", "/api/v1/videos", {["Content-Type"] = "application/json"},
    '{"url":"https://youtu.be/' .. video .. '"}')
end
"""


@dataclass(frozen=True)
class WrkResult:
    connections: int
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def video_id() -> str:
    return secrets.token_urlsafe(8)[:11]


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str, connections: int) -> WrkResult:
    count = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (count and rate and p50 and p99):
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    return WrkResult(
        connections,
        int(count.group(1)),
        float(rate.group(1)),
        _ms(p50.group(1)),
        _ms(p99.group(1)),
        errors,
    )


def run_wrk(
    url: str,
    connections: int,
    duration_s: int,
    *,
    script: str | None = None,
    env: dict[str, str] | None = None,
) -> WrkResult:
    """``wrk`` on ``url`` (two threads), with the Lua ``script`` given and
    ``env`` added to its environment (the script reads it)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        command = [wrk, "-t2", f"-c{connections}", f"-d{duration_s}s", "--latency"]
        if script is not None:
            lua.write(script)
            lua.flush()
            command += ["-s", lua.name]
        done = subprocess.run(
            [*command, url],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **(env or {})},
        )
    return parse_wrk(done.stdout, connections)


PACED_RATE = 1000
"""Requests per second the paced job-status run offers in all."""
PACED_CONNECTIONS = 20
WARM_UP_S = 5
"""Load before measuring: /readyz answers once one server process is up, the
others may still be starting (and taking the CPU) for a few seconds."""


def _bench_gateway_env() -> dict[str, str]:
    """A gateway that serves but does not project, and lets one address submit a lot."""
    return {
        "PIND_RUN_PROJECTION": "false",
        "PIND_CONSUMER_GROUP": f"pind-gateway-bench-{uuid.uuid4().hex[:8]}",
        "PIND_LOG_LEVEL": "WARNING",
        "PIND_GUEST_SUBMISSIONS_PER_WINDOW": "100000000",
    }


async def bench_status_get(
    settings: GatewaySettings, duration_s: int
) -> list[tuple[str, WrkResult]]:
    """Flat out at 10 and 50 connections, then paced to about ``PACED_RATE`` in all."""
    with tempfile.TemporaryDirectory() as logs:
        async with running(settings, Path(logs), bench=_bench_gateway_env()) as started:
            base = started["bench"].url
            async with httpx.AsyncClient(base_url=base) as http:
                answer = await http.post(
                    "/api/v1/videos", json={"url": f"https://youtu.be/{video_id()}"}
                )
                answer.raise_for_status()
            url = f"{base}/api/v1/jobs/{answer.json()['job_id']}"
            await asyncio.to_thread(run_wrk, url, 10, WARM_UP_S)
            results = []
            for connections in (10, 50):
                flat_out = await asyncio.to_thread(run_wrk, url, connections, duration_s)
                results.append(("flat out", flat_out))
            paced = await asyncio.to_thread(
                run_wrk,
                url,
                PACED_CONNECTIONS,
                duration_s,
                script=PACED_LUA,
                env={"PIND_BENCH_DELAY_MS": str(PACED_CONNECTIONS * 1000 // PACED_RATE)},
            )
            results.append((f"paced to ~{PACED_RATE}/s", paced))
            return results


class EndOffsets:
    """The sum of a topic's end offsets, read as often as needed."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._topic = topic
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
        self._partitions: list[TopicPartition] = []

    async def __aenter__(self) -> EndOffsets:
        await self._consumer.start()
        await self._consumer.topics()  # loads the metadata
        found = self._consumer.partitions_for_topic(self._topic) or set()
        for _ in range(50):  # a topic created a moment ago: wait for its metadata
            if found:
                break
            await self._consumer._client.force_metadata_update()
            found = self._consumer.partitions_for_topic(self._topic) or set()
            await asyncio.sleep(0.1)
        self._partitions = [TopicPartition(self._topic, p) for p in sorted(found)]
        if not self._partitions:
            await self._consumer.stop()
            raise SystemExit(f"topic {self._topic} does not exist (make infra-up)")
        self._consumer.assign(self._partitions)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def total(self) -> int:
        return sum((await self._consumer.end_offsets(self._partitions)).values())


@dataclass(frozen=True)
class SubmissionResult:
    jobs: int
    jobs_per_s: float
    wrk: WrkResult


async def bench_submissions(
    settings: GatewaySettings, duration_s: int, connections: int = 128
) -> SubmissionResult:
    """Jobs per second, from the first POST until every job's record is on Kafka.

    Submissions are group-committed (submissions.py): throughput grows with the
    requests in flight while each waits about one batch transaction, so the
    load offered is enough open connections to fill the batches."""
    prefix = secrets.token_hex(2)
    topic = settings.kafka_topic_prefix + VIDEO_REQUESTED.name
    engine = make_engine(settings)
    try:
        with tempfile.TemporaryDirectory() as logs:
            async with (
                running(settings, Path(logs), bench=_bench_gateway_env()) as started,
                EndOffsets(settings.kafka_bootstrap, topic) as offsets,
            ):
                await asyncio.to_thread(run_wrk, f"{started['bench'].url}/healthz", 10, WARM_UP_S)
                before = await offsets.total()
                began = time.perf_counter()
                posted = await asyncio.to_thread(
                    run_wrk,
                    started["bench"].url,
                    connections,
                    duration_s,
                    script=SUBMIT_LUA,
                    env={"PIND_BENCH_VIDEO_PREFIX": prefix},
                )
                # wrk does not count the requests still open when it stops: the
                # database knows every job that was made.
                async with engine.connect() as connection:
                    jobs = await connection.scalar(
                        select(func.count()).where(Job.video_id.startswith(prefix))
                    )
                while await offsets.total() - before < (jobs or 0):  # noqa: ASYNC110
                    await asyncio.sleep(0.01)  # the broker offers no "offset reached" signal
                elapsed = time.perf_counter() - began
    finally:
        await engine.dispose()
    return SubmissionResult(jobs or 0, (jobs or 0) / elapsed, posted)


async def bench_projection(settings: GatewaySettings, jobs: int, per_job: int) -> float:
    """Events projected per second from a pre-filled topic into PostgreSQL.

    The clock starts when the projection's consumer of the stage topic has its
    partitions (joining the group is not projecting) and stops when the last
    event of every partition is marked processed (partitions are projected in
    order, so that mark means all of the partition's events are in). The
    projection's own wake-ups for those events' jobs say when to look.
    """
    group = f"pind-gateway-bench-proj-{uuid.uuid4().hex[:8]}"
    # Jobs to report on: submitted by an app that does not project.
    submitter = create_app(
        settings.model_copy(
            update={"run_projection": False, "guest_submissions_per_window": 1_000_000}
        )
    )
    job_ids: list[tuple[uuid.UUID, str]] = []
    async with submitter.router.lifespan_context(submitter):
        transport = httpx.ASGITransport(app=submitter)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            for _ in range(jobs):
                v = video_id()
                answer = await http.post("/api/v1/videos", json={"url": f"https://youtu.be/{v}"})
                job_ids.append((uuid.UUID(answer.json()["job_id"]), v))

    physical = settings.kafka_topic_prefix + JOB_STAGE.name
    for projected in (JOB_STAGE, VIDEO_INGESTED, PLACES_EXTRACTED, USER):  # only what we send
        await _commit_ends(
            settings.kafka_bootstrap,
            f"{group}.{projected.name}",
            settings.kafka_topic_prefix + projected.name,
            projected.partitions,
        )
    last_per_partition = await _prefill_stage_events(
        settings.kafka_bootstrap, physical, job_ids, per_job
    )
    total = jobs * per_job

    # Earlier runs leave jobs that never finish; sweeping them when they time out
    # is not projecting, so this instance's timeout sweeper finds nothing to do.
    projecting = settings.model_copy(
        update={"consumer_group": group, "job_timeout_s": 30 * 24 * 3600.0}
    )
    worker = Worker(projecting)
    projector = create_app(projecting, worker=worker)
    async with projector.router.lifespan_context(projector):
        watch = projector.state.gateway.watch
        await _until_assigned(worker, physical)
        started = time.perf_counter()
        await _until_processed(worker, watch, group, list(last_per_partition.values()))
        elapsed = time.perf_counter() - started
        async with worker.sessionmaker() as session:
            done = await session.scalar(
                select(func.count())
                .select_from(PROCESSED_EVENTS)
                .where(PROCESSED_EVENTS.c.consumer == group)
            )
    if done != total:
        raise SystemExit(f"projection bench: {done} of {total} events processed")
    return total / elapsed


async def _prefill_stage_events(
    bootstrap: str, topic: str, job_ids: list[tuple[uuid.UUID, str]], per_job: int
) -> dict[int, tuple[uuid.UUID, uuid.UUID]]:
    """``per_job`` progress reports per job on ``topic``; the last event written
    to each partition (its id and its job's)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20)
    await producer.start()
    sent: list[tuple[uuid.UUID, uuid.UUID, asyncio.Future[Any]]] = []
    try:
        clock = datetime.now(UTC)
        for step in range(per_job):
            for job_id, v in job_ids:
                clock += timedelta(microseconds=10)
                payload = JobStage(
                    job_id=job_id,
                    video_id=v,
                    stage="transcript" if step % 2 else "vision",
                    state="progress",
                    progress=min(0.99, (step + 1) / per_job),
                )
                envelope = Envelope(
                    type=JOB_STAGE.event_type,
                    producer="bench",
                    subject=v,
                    job_id=job_id,
                    occurred_at=clock,
                )
                delivery = await producer.send(
                    topic,
                    value=payload.model_dump_json().encode(),
                    key=v.encode(),
                    headers=envelope.to_headers(),
                )
                sent.append((envelope.event_id, job_id, delivery))
        await producer.flush()
    finally:
        await producer.stop()
    last: dict[int, tuple[uuid.UUID, uuid.UUID]] = {}
    for event_id, job_id, delivery in sent:  # in send order, which is each partition's order
        last[delivery.result().partition] = (event_id, job_id)
    return last


async def _until_assigned(worker: Worker, topic: str) -> None:
    """Wait until the worker's consumer of ``topic`` was given its partitions."""
    [subscriber] = [s for s in worker.broker.subscribers if topic in getattr(s, "topic_names", ())]
    # The consumer exists only once the worker reached Kafka (in the background:
    # an HTTP service starts without it), so it is looked up on every turn.
    while True:
        consumer: AIOKafkaConsumer | None = getattr(subscriber, "consumer", None)
        if consumer is not None and consumer.assignment():
            return
        await asyncio.sleep(0.001)  # aiokafka offers no assignment event to await


async def _until_processed(
    worker: Worker, watch: AnalysisWatch, group: str, events: list[tuple[uuid.UUID, uuid.UUID]]
) -> None:
    """Wait until ``events`` (event id, job id) are marked processed, looking
    each time the projection wakes the waiters of one of their jobs."""
    with contextlib.ExitStack() as stack:
        signals = [stack.enter_context(watch.subscribe(job_id)) for _, job_id in events]
        while True:
            for signal in signals:
                signal.clear()  # before reading, so a wake-up after the read is not lost
            async with worker.sessionmaker() as session:
                done = await session.scalar(
                    select(func.count())
                    .select_from(PROCESSED_EVENTS)
                    .where(
                        PROCESSED_EVENTS.c.consumer == group,
                        PROCESSED_EVENTS.c.event_id.in_([event_id for event_id, _ in events]),
                    )
                )
            if done == len(events):
                return
            waits = [asyncio.ensure_future(signal.wait()) for signal in signals]
            await asyncio.wait(waits, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()


async def _commit_ends(bootstrap: str, kafka_group: str, topic: str, count: int) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=kafka_group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(count)]
        consumer.assign(partitions)
        await consumer.commit(dict(await consumer.end_offsets(partitions)))
    finally:
        await consumer.stop()


async def bench_token_verification(count: int) -> tuple[float, float]:
    """Access tokens verified per second on this one core: every token new
    (an Ed25519 signature check each) and the same token again (cache hit)."""
    import time as _time

    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from jwt.algorithms import OKPAlgorithm

    from pind_gateway.adapters.auth_service import PublishedKeys
    from pind_gateway.auth.tokens import ALGORITHM, TOKEN_TYPE, TokenVerifier

    key = Ed25519PrivateKey.generate()
    jwk = OKPAlgorithm.to_jwk(key.public_key(), as_dict=True) | {"kid": "bench", "alg": ALGORITHM}

    async def source() -> PublishedKeys:
        return PublishedKeys([jwk])

    now = int(_time.time())
    tokens = [
        jwt.encode(
            {
                "iss": "pind-auth",
                "aud": "pind",
                "sub": str(uuid.uuid4()),
                "iat": now,
                "nbf": now,
                "exp": now + 600,
                "jti": uuid.uuid4().hex,
            },
            key,
            algorithm=ALGORITHM,
            headers={"kid": "bench", "typ": TOKEN_TYPE},
        )
        for _ in range(count)
    ]
    rates = []
    for cache in (0, 10_000):
        verifier = TokenVerifier(
            source, issuer="pind-auth", audience="pind", refetch_min_s=30, verified_cache_size=cache
        )
        await verifier.verify(tokens[0])  # keys fetched once
        batch = tokens if cache == 0 else [tokens[0]] * count
        started = _time.process_time()
        for token in batch:
            await verifier.verify(token)
        rates.append(count / (_time.process_time() - started))
    return rates[0], rates[1]


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main_async(args: argparse.Namespace) -> None:
    if args.only == {"verify"}:
        signed, cached = await bench_token_verification(args.tokens)
        _say(
            f"access-token verification (one core)  {signed:8.0f}/s new tokens, "
            f"{cached:8.0f}/s repeated (cache)"
        )
        return
    # Topics of its own (for the gateway processes it starts too): a stack
    # running beside the bench neither feeds the projection bench's topic nor
    # analyses the submissions bench's jobs.
    os.environ["PIND_KAFKA_TOPIC_PREFIX"] = "bench." + os.environ.get("PIND_KAFKA_TOPIC_PREFIX", "")
    settings = GatewaySettings(log_level="WARNING")
    configure_logging(settings)
    await ensure_topics(settings.kafka_bootstrap, prefix=settings.kafka_topic_prefix)
    if "get" in args.only:
        for how, r in await bench_status_get(settings, args.duration):
            _say(
                f"job-status GET  wrk c={r.connections:<3} {how:<17} {r.requests_per_s:8.0f} req/s"
                f"  p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:6.2f} ms  non-2xx {r.errors}"
            )
    if "submit" in args.only:
        done = await bench_submissions(settings, args.duration)
        _say(
            f"submissions → outbox → Kafka   {done.jobs_per_s:8.0f} jobs/s ({done.jobs} jobs; "
            f"wrk c={done.wrk.connections} p50 {done.wrk.p50_ms:.1f} ms "
            f"p99 {done.wrk.p99_ms:.1f} ms non-2xx {done.wrk.errors})"
        )
    if "verify" in args.only:
        signed, cached = await bench_token_verification(args.tokens)
        _say(
            f"access-token verification (one core)  {signed:8.0f}/s new tokens, "
            f"{cached:8.0f}/s repeated (cache)"
        )
    if "project" in args.only:
        rate = await bench_projection(settings, args.jobs, args.events_per_job)
        _say(
            f"projection from a pre-filled topic  {rate:8.0f} events/s "
            f"({args.jobs * args.events_per_job} events)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gateway", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--events-per-job", type=int, default=50)
    parser.add_argument("--tokens", type=int, default=5000)
    parser.add_argument(
        "--only",
        default="get,submit,project,verify",
        help="comma-separated: get, submit, project, verify",
    )
    args = parser.parse_args(argv)
    args.only = set(args.only.split(","))
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
