"""``python -m pind_gateway.bench``: the gateway's throughput on this machine.

1. job-status GET: ``wrk`` against a real uvicorn gateway process (projection
   off), one job, keep-alive connections; requests/s and p50/p99 latency;
2. submissions through the outbox to Kafka: distinct videos POSTed to an
   in-process app, timed until every ``pind.video.requested`` record is on
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

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import func, select

from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    USER,
    VIDEO_INGESTED,
    VIDEO_REQUESTED,
    Envelope,
    JobStage,
    Topic,
)
from pind_gateway.app import create_app
from pind_gateway.settings import GatewaySettings
from pind_gateway.testing import running
from pind_kit.db import PROCESSED_EVENTS
from pind_kit.logging import configure_logging
from pind_kit.topics import ensure_topics

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class WrkResult:
    connections: int
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
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rate and p50 and p99):
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    return WrkResult(
        connections, float(rate.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), errors
    )


def run_wrk(url: str, connections: int, duration_s: int) -> WrkResult:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    command = [wrk, "-t2", f"-c{connections}", f"-d{duration_s}s", "--latency", url]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout, connections)


async def bench_status_get(settings: GatewaySettings, duration_s: int) -> list[WrkResult]:
    extra = {
        "PIND_RUN_PROJECTION": "false",
        "PIND_CONSUMER_GROUP": f"pind-gateway-bench-{uuid.uuid4().hex[:8]}",
        "PIND_LOG_LEVEL": "WARNING",
        "PIND_GUEST_SUBMISSIONS_PER_WINDOW": "1000",
    }
    with tempfile.TemporaryDirectory() as logs:
        async with running(settings, Path(logs), bench=extra) as started:
            base = started["bench"].url
            async with httpx.AsyncClient(base_url=base) as http:
                answer = await http.post(
                    "/api/v1/videos", json={"url": f"https://youtu.be/{video_id()}"}
                )
                answer.raise_for_status()
            url = f"{base}/api/v1/jobs/{answer.json()['job_id']}"
            results = []
            for connections in (10, 50):
                results.append(await asyncio.to_thread(run_wrk, url, connections, duration_s))
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


async def bench_submissions(settings: GatewaySettings, count: int, concurrency: int) -> float:
    """Submissions per second, from the first POST until all records are on Kafka."""
    tuned = settings.model_copy(
        update={
            "run_projection": False,
            "guest_submissions_per_window": 1_000_000,
            "relay_poll_interval_s": 0.02,
        }
    )
    app = create_app(tuned)
    topic = settings.kafka_topic_prefix + VIDEO_REQUESTED.name
    offsets = EndOffsets(settings.kafka_bootstrap, topic)
    await offsets.__aenter__()
    before = await offsets.total()
    videos = [video_id() for _ in range(count)]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for v in videos:
        queue.put_nowait(v)

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:

            async def submitter() -> None:
                while not queue.empty():
                    v = queue.get_nowait()
                    answer = await http.post(
                        "/api/v1/videos", json={"url": f"https://youtu.be/{v}"}
                    )
                    answer.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(submitter() for _ in range(concurrency)))
            try:
                while await offsets.total() - before < count:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)  # the broker offers no "offset reached" signal
                return count / (time.perf_counter() - started)
            finally:
                await offsets.__aexit__()


async def bench_projection(settings: GatewaySettings, jobs: int, per_job: int) -> float:
    """Events projected per second from a pre-filled topic into PostgreSQL."""
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

    topic: Topic = JOB_STAGE
    physical = settings.kafka_topic_prefix + topic.name
    for projected in (JOB_STAGE, VIDEO_INGESTED, PLACES_EXTRACTED, USER):  # only what we send
        await _commit_ends(
            settings.kafka_bootstrap,
            f"{group}.{projected.name}",
            settings.kafka_topic_prefix + projected.name,
            projected.partitions,
        )
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=20)
    await producer.start()
    event_ids = []
    try:
        clock = datetime.now(UTC)
        for step in range(per_job):
            for job_id, v in job_ids:
                clock += timedelta(microseconds=10)
                stage = "transcript" if step % 2 else "vision"
                payload = JobStage(
                    job_id=job_id,
                    video_id=v,
                    stage=stage,
                    state="progress",
                    progress=min(0.99, (step + 1) / per_job),
                )
                envelope = Envelope(
                    type=topic.event_type,
                    producer="bench",
                    subject=v,
                    job_id=job_id,
                    occurred_at=clock,
                )
                event_ids.append(envelope.event_id)
                await producer.send(
                    physical,
                    value=payload.model_dump_json().encode(),
                    key=v.encode(),
                    headers=envelope.to_headers(),
                )
        await producer.flush()
    finally:
        await producer.stop()

    projector = create_app(settings.model_copy(update={"consumer_group": group}))
    total = len(event_ids)
    started = time.perf_counter()
    async with projector.router.lifespan_context(projector):
        sessionmaker = projector.state.gateway.sessionmaker
        while True:
            async with sessionmaker() as session:
                done = await session.scalar(
                    select(func.count())
                    .select_from(PROCESSED_EVENTS)
                    .where(PROCESSED_EVENTS.c.consumer == group)
                )
            if (done or 0) >= total:
                break
            await asyncio.sleep(0.05)  # polling the count: the fastest honest clock here
        elapsed = time.perf_counter() - started
    return total / elapsed


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

    from pind_gateway.auth.tokens import ALGORITHM, TOKEN_TYPE, TokenVerifier

    key = Ed25519PrivateKey.generate()
    jwk = OKPAlgorithm.to_jwk(key.public_key(), as_dict=True) | {"kid": "bench", "alg": ALGORITHM}

    async def source() -> list[dict[str, object]]:
        return [jwk]

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
    settings = GatewaySettings(log_level="WARNING")
    configure_logging(settings)
    await ensure_topics(settings.kafka_bootstrap, prefix=settings.kafka_topic_prefix)
    if "get" in args.only:
        for r in await bench_status_get(settings, args.duration):
            _say(
                f"job-status GET  wrk c={r.connections:<3} {r.requests_per_s:8.0f} req/s  "
                f"p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:6.2f} ms  non-2xx {r.errors}"
            )
    if "submit" in args.only:
        rate = await bench_submissions(settings, args.submissions, concurrency=32)
        _say(f"submissions → outbox → Kafka   {rate:8.0f} jobs/s ({args.submissions} jobs)")
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
    parser = argparse.ArgumentParser(prog="python -m pind_gateway.bench", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--events-per-job", type=int, default=10)
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
