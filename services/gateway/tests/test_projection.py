"""The projection in batches: two instances in one consumer group project
every event once, and replaying every topic from offset 0 leaves the tables
byte-for-byte equal. Runs in a topic namespace of its own, so no other
projection of the test session folds the same events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text

from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    USER,
    VIDEO_INGESTED,
    Contract,
    Envelope,
    Topic,
)
from pind_gateway.app import create_app
from pind_gateway.domain.progress import StageReport, StageSnapshot, condense, fold_stage
from pind_gateway.settings import GatewaySettings
from pind_kit.consume import Worker, kafka_group_id
from pind_kit.db import PROCESSED_EVENTS
from pind_kit.topics import ensure_topics, wanted

PROJECTED = (JOB_STAGE, VIDEO_INGESTED, PLACES_EXTRACTED, USER)

# --- condensing a batch's reports --------------------------------------------

T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
reports = st.builds(
    StageReport,
    state=st.sampled_from(["started", "progress", "succeeded", "failed", "skipped"]),
    progress=st.floats(0, 1),
    occurred_at=st.integers(0, 50).map(lambda s: T0 + timedelta(seconds=s)),
    reason=st.sampled_from([None, "no captions", "private"]),
)


@given(
    start=st.lists(reports, max_size=3),
    batch=st.lists(st.tuples(st.sampled_from(["vision", "geo"]), reports), max_size=12),
)
def test_condensed_reports_fold_like_all_of_them(
    start: list[StageReport], batch: list[tuple[str, StageReport]]
) -> None:
    stored = reduce(fold_stage, start, StageSnapshot())
    for stage in ("vision", "geo"):
        every = [r for key, r in batch if key == stage]
        condensed = [r for key, r in condense(batch) if key == stage]
        assert reduce(fold_stage, condensed, stored) == reduce(fold_stage, every, stored)
        assert len(condensed) <= len(every)


# --- the projection against Kafka and PostgreSQL -----------------------------


@pytest.fixture
async def namespace(settings: GatewaySettings, migrated: None) -> AsyncIterator[GatewaySettings]:
    """Settings whose topics live under a prefix of their own (deleted afterwards)."""
    prefix = f"test.proj{uuid.uuid4().hex[:8]}."
    await ensure_topics(settings.kafka_bootstrap, prefix=prefix)
    yield settings.model_copy(
        update={
            "kafka_topic_prefix": prefix,
            "consumer_group": f"pind-gateway-proj-{uuid.uuid4().hex[:8]}",
        }
    )
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        await admin.delete_topics(list(wanted(prefix)))
    finally:
        await admin.close()


class Instance:
    """A gateway in this process, started and stopped by the test."""

    def __init__(self, settings: GatewaySettings, auth_app: FastAPI) -> None:
        self.worker = Worker(settings)
        self.app = create_app(
            settings, worker=self.worker, auth_transport=httpx.ASGITransport(app=auth_app)
        )

    def has_partitions(self) -> bool:
        """Whether this instance's consumer of the stage topic was given partitions."""
        topic = self.worker.topic_name(JOB_STAGE.name)
        consumers = [
            getattr(subscriber, "consumer", None)
            for subscriber in self.worker.broker.subscribers
            if topic in getattr(subscriber, "topic_names", ())
        ]
        return any(consumer is not None and consumer.assignment() for consumer in consumers)

    @property
    def watch(self) -> Any:
        return self.app.state.gateway.watch

    @property
    def sessionmaker(self) -> Any:
        return self.app.state.gateway.sessionmaker


async def _submit(instance: Instance, video_id: str) -> uuid.UUID:
    transport = httpx.ASGITransport(app=instance.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        answer = await http.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    assert answer.status_code == 202, answer.text
    return uuid.UUID(answer.json()["job_id"])


async def _publish(
    settings: GatewaySettings,
    video_id: str,
    job_id: uuid.UUID,
    events: Iterable[tuple[Topic, Contract]],
    *,
    since: datetime | None = None,
    again: int = 0,
) -> list[uuid.UUID]:
    """Send a job's events as the workers would, stamped from ``since`` on,
    then the first ``again`` of them once more (same ids); their event ids."""
    clock = since or datetime.now(UTC)
    messages = []
    for topic, payload in events:
        clock += timedelta(milliseconds=10)
        envelope = Envelope(
            type=topic.event_type,
            producer="test-worker",
            subject=video_id,
            job_id=job_id,
            occurred_at=clock,
        )
        messages.append((topic, payload.model_dump_json().encode(), envelope))
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for topic, value, envelope in messages + messages[:again]:
            await producer.send(
                settings.kafka_topic_prefix + topic.name,
                value=value,
                key=video_id.encode(),
                headers=envelope.to_headers(),
            )
        await producer.flush()
    finally:
        await producer.stop()
    return [envelope.event_id for _, _, envelope in messages]


async def _until_processed(
    instance: Instance, group: str, event_ids: list[uuid.UUID], jobs: list[uuid.UUID]
) -> None:
    """Wait until ``event_ids`` are marked processed, looking each time the
    projection wakes the waiters of one of ``jobs``."""
    async with AsyncExitStack() as stack:
        signals = [stack.enter_context(instance.watch.subscribe(job)) for job in jobs]
        async with asyncio.timeout(60):
            while True:
                for signal in signals:
                    signal.clear()
                async with instance.sessionmaker() as session:
                    done = await session.scalar(
                        select(func.count())
                        .select_from(PROCESSED_EVENTS)
                        .where(
                            PROCESSED_EVENTS.c.consumer == group,
                            PROCESSED_EVENTS.c.event_id.in_(event_ids),
                        )
                    )
                if done == len(event_ids):
                    return
                waits = [asyncio.ensure_future(signal.wait()) for signal in signals]
                await asyncio.wait(waits, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
                for wait in waits:
                    wait.cancel()


async def _tables(instance: Instance, video_ids: list[str]) -> dict[str, list[str]]:
    """Every row the projection writes for these videos, as text."""
    queries = {
        "videos": "SELECT row_to_json(v)::text FROM videos v WHERE video_id = ANY(:v)",
        "jobs": "SELECT row_to_json(j)::text FROM jobs j WHERE video_id = ANY(:v)",
        "analyses": "SELECT row_to_json(a)::text FROM analyses a WHERE video_id = ANY(:v)",
        "analysis_stages": "SELECT row_to_json(s)::text FROM analysis_stages s "
        "JOIN analyses a ON a.id = s.analysis_id WHERE a.video_id = ANY(:v)",
        "video_places": "SELECT row_to_json(p)::text FROM video_places p WHERE video_id = ANY(:v)",
        "places": "SELECT row_to_json(p)::text FROM places p WHERE id IN "
        "(SELECT place_id FROM video_places WHERE video_id = ANY(:v))",
    }
    async with instance.sessionmaker() as session:
        return {
            table: sorted((await session.execute(text(sql), {"v": video_ids})).scalars())
            for table, sql in queries.items()
        }


async def _rewind(settings: GatewaySettings, group: str) -> None:
    """Set ``group``'s offsets on every projected topic back to 0."""
    for topic in PROJECTED:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap,
            group_id=kafka_group_id(group, topic, settings.kafka_topic_prefix),
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            name = settings.kafka_topic_prefix + topic.name
            partitions = [TopicPartition(name, p) for p in range(topic.partitions)]
            consumer.assign(partitions)
            await consumer.commit(dict.fromkeys(partitions, 0))
        finally:
            await consumer.stop()


async def test_two_instances_project_every_event_and_a_replay_changes_nothing(
    namespace: GatewaySettings, auth_app: FastAPI, events: Any
) -> None:
    group = namespace.consumer_group
    videos = [events.video_id() for _ in range(6)]
    first, second = Instance(namespace, auth_app), Instance(namespace, auth_app)
    async with AsyncExitStack() as running:
        for instance in (first, second):  # one consumer group: the partitions are shared
            await running.enter_async_context(instance.app.router.lifespan_context(instance.app))
        async with asyncio.timeout(60):
            while not (first.has_partitions() and second.has_partitions()):  # noqa: ASYNC110
                await asyncio.sleep(0.05)  # Kafka offers no rebalance event to await
        jobs = [await _submit(first, video) for video in videos]
        sent: list[uuid.UUID] = []
        for job, video in zip(jobs, videos, strict=True):
            sent += await _publish(namespace, video, job, events.full_analysis(job, video), again=4)
        await _until_processed(first, group, sent, jobs)
    projected = await _tables(first, videos)
    assert len(projected["jobs"]) == len(projected["analyses"]) == len(videos)
    assert all('"state":"succeeded"' in row for row in projected["analyses"])
    assert all('"state":"succeeded"' in row for row in projected["analysis_stages"])
    assert len(projected["video_places"]) == 2 * len(videos)

    # Every topic again from offset 0, then a marker per topic to know when done
    # (for a job nobody knows, stamped long ago: it changes nothing itself).
    await _rewind(namespace, group)
    skipped_before = _duplicates(group)
    marker = uuid.uuid4()
    replay = Instance(namespace, auth_app)
    async with replay.app.router.lifespan_context(replay.app):
        markers = await _publish(
            namespace,
            videos[0],
            marker,
            [
                (JOB_STAGE, events.stage(marker, videos[0], "geo", "progress")),
                (VIDEO_INGESTED, events.ingested(marker, videos[0], title="marker")),
                (PLACES_EXTRACTED, events.places(marker, videos[0], found=False)),
            ],
            since=datetime(2000, 1, 1, tzinfo=UTC),
        )
        await _until_processed(replay, group, markers, [marker])
    assert await _tables(replay, videos) == projected
    assert _duplicates(group) - skipped_before >= len(sent)  # it did read them all again


def _duplicates(group: str) -> float:
    """Events ``group`` skipped as already processed, per the kit's metrics."""
    return sum(
        REGISTRY.get_sample_value(
            "pind_events_handled_total",
            {"topic": topic.name, "consumer": group, "outcome": "duplicate"},
        )
        or 0.0
        for topic in PROJECTED
    )
