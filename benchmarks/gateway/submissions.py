"""Submissions through the outbox to Kafka: ``wrk`` POSTs a new video per
request to a real gateway; jobs per second until every job's record is on
the broker (relay included)."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select

from benchmarks.gateway.status import WARM_UP_S, bench_gateway_env
from benchmarks.gateway.wrk import SUBMIT_LUA, WrkResult, run_wrk
from benchmarks.gateway_processes import running
from pind_contracts import VIDEO_REQUESTED
from pind_gateway.core.models import Job
from pind_gateway.settings import GatewaySettings
from pind_kit.db import make_engine


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
                running(settings, Path(logs), bench=bench_gateway_env()) as started,
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
