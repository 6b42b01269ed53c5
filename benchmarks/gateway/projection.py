"""The projection's rate: job-stage events pre-filled into the topic for jobs
that exist, then a fresh consumer group projects them into PostgreSQL,
timed until every event's processed mark is written."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import func, select

from benchmarks.gateway.status import video_id
from pind_contracts import JOB_STAGE, PLACES_EXTRACTED, USER, VIDEO_INGESTED, Envelope, JobStage
from pind_gateway.app import create_app
from pind_gateway.core.watch import AnalysisWatch
from pind_gateway.settings import GatewaySettings
from pind_kit.consume import Worker, kafka_group_id
from pind_kit.db import PROCESSED_EVENTS


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
            kafka_group_id(group, projected, settings.kafka_topic_prefix),
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
