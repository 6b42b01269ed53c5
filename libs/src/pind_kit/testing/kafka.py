"""Kafka for tests: this run's topic namespace, fresh topics (deleted when the
session ends), publishing raw records and contract events, reading a topic from
the moment a test opened it, a consumer group started at the end, and a worker
run in the test's event loop. No pytest."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import ConsumerRecord

from pind_contracts import Contract, Envelope, JobStage, Topic
from pind_kit.consume.subscription import kafka_group_id

TEST_TOPIC_PREFIX = "test."


def topic_prefix() -> str:
    """The namespace of this test run's topics (root conftest defaults it to
    ``test.``, so tests never touch the topics a running stack uses)."""
    return os.environ.get("PIND_KAFKA_TOPIC_PREFIX", "")


def physical_topic(name: str) -> str:
    """``name`` in this run's topic namespace (idempotent)."""
    prefix = topic_prefix()
    return name if name.startswith(prefix) else prefix + name


async def commit_group_at_end(
    bootstrap: str, group: str, topics: Iterable[Topic], *, prefix: str | None = None
) -> None:
    """Commit the topics' end offsets for ``group``'s Kafka groups (one per
    topic), as a consumer that caught up would: one started with the group
    then reads only what comes next, not the history other runs left.
    ``prefix`` names another namespace than this run's."""
    for topic in topics:
        namespace = prefix if prefix is not None else topic_prefix()
        name = namespace + topic.name
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=kafka_group_id(group, topic, namespace),
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            partitions = [TopicPartition(name, p) for p in range(topic.partitions)]
            consumer.assign(partitions)
            await consumer.commit(dict(await consumer.end_offsets(partitions)))
        finally:
            await consumer.stop()


@dataclass(frozen=True)
class KafkaRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]

    @classmethod
    def of(cls, record: ConsumerRecord[bytes, bytes]) -> KafkaRecord:
        return cls(
            record.topic,
            record.partition,
            record.offset,
            record.key,
            record.value,
            {k: v for k, v in (record.headers or ())},
        )


async def create_topics(bootstrap: str, names: Iterable[str], partitions: int = 1) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [physical_topic(n) for n in names]
        new = [NewTopic(n, partitions, 1) for n in wanted if n not in existing]
        if new:
            await admin.create_topics(new)
    finally:
        await admin.close()


_UNIQUE_TOPICS: set[str] = set()


def unique_topic(stem: str = "test") -> str:
    """A topic name no other test uses; deleted (with its DLT) when the session ends."""
    name = f"pind.{stem}.{uuid.uuid4().hex[:12]}.v1"
    _UNIQUE_TOPICS.update({name, name + ".dlt"})
    return name


async def stand_in_topic(
    bootstrap: str, stem: str, payload: type[Contract], description: str = "test input"
) -> Topic:
    """A fresh one-partition topic (and its DLT) carrying ``payload``: a stand-in
    for a registry topic, so no other consumer sees a test's events."""
    topic = Topic(unique_topic(stem), payload, 1, "video id", description)
    await create_topics(bootstrap, [topic.name, topic.dlt])
    return topic


async def delete_unique_topics(bootstrap: str) -> None:
    """Delete the topics :func:`unique_topic` named (and their DLTs) that exist."""
    if not _UNIQUE_TOPICS:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [physical_topic(n) for n in _UNIQUE_TOPICS]
        await admin.delete_topics([n for n in doomed if n in existing])
    finally:
        await admin.close()


async def publish_raw(
    bootstrap: str,
    topic: str,
    value: bytes | None,
    headers: Iterable[tuple[str, bytes]] = (),
    key: bytes | None = None,
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(
            physical_topic(topic), value=value, key=key, headers=list(headers)
        )
    finally:
        await producer.stop()


async def publish_event(bootstrap: str, topic: Any, payload: Any, *, producer: str = "test") -> Any:
    """Publish a contract ``payload`` on ``topic`` as a producer would: keyed
    by its video id, with a CloudEvents envelope carrying its job id."""
    video_id = str(getattr(payload, "video_id", ""))
    envelope = Envelope(
        type=topic.event_type,
        producer=producer,
        subject=video_id,
        job_id=getattr(payload, "job_id", None),
    )
    await publish_raw(
        bootstrap,
        topic.name,
        payload.model_dump_json().encode(),
        envelope.to_headers(),
        video_id.encode(),
    )
    return payload


class TopicReader:
    """Reads a topic from the end offsets it had when the reader was made,
    so a test sees only what its own action produced."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = physical_topic(topic)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None
        )

    async def __aenter__(self) -> TopicReader:
        await self._consumer.start()
        # A topic created a moment ago may take a few metadata rounds to show.
        try:
            async with asyncio.timeout(15):
                while self.topic not in await self._consumer.topics():
                    await self._consumer._client.force_metadata_update()
        except TimeoutError:
            await self._consumer.stop()
            raise AssertionError(
                f"topic {self.topic} does not exist (run `make infra-up`)"
            ) from None
        partitions = self._consumer.partitions_for_topic(self.topic) or set()
        while not partitions:  # a topic created a moment ago: wait for its metadata
            await self._consumer._client.force_metadata_update()
            partitions = self._consumer.partitions_for_topic(self.topic) or set()
        tps = [TopicPartition(self.topic, p) for p in partitions]
        self._consumer.assign(tps)
        ends = await self._consumer.end_offsets(tps)
        for tp, end in ends.items():
            self._consumer.seek(tp, end)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def until(
        self,
        predicate: Callable[[list[KafkaRecord]], bool],
        within_s: float = 30.0,
    ) -> list[KafkaRecord]:
        """Records seen so far, once ``predicate`` holds on them (or fail)."""
        seen: list[KafkaRecord] = []
        try:
            async with asyncio.timeout(within_s):
                while not predicate(seen):
                    batch = await self._consumer.getmany(timeout_ms=200)
                    for records in batch.values():
                        seen.extend(KafkaRecord.of(r) for r in records)
        except TimeoutError:
            raise AssertionError(
                f"condition not met on {self.topic} within {within_s}s; saw {len(seen)} record(s)"
            ) from None
        return seen

    async def drain(self, quiet_s: float = 1.0) -> list[KafkaRecord]:
        """Everything that arrives until the topic stays quiet for ``quiet_s``."""
        seen: list[KafkaRecord] = []
        while True:
            batch = await self._consumer.getmany(timeout_ms=int(quiet_s * 1000))
            if not batch:
                return seen
            for records in batch.values():
                seen.extend(KafkaRecord.of(r) for r in records)


@contextlib.asynccontextmanager
async def running(worker: Any) -> AsyncIterator[Any]:
    """Run a :class:`pind_kit.consume.Worker` in this event loop for a test."""
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop()


def stage_reports(
    records: Iterable[KafkaRecord], job_id: uuid.UUID, stage: str | None = None
) -> list[JobStage]:
    """The ``pind.job.stage.v1`` reports among ``records`` about ``job_id``
    (and ``stage``, when given), in the order read."""
    reports = [JobStage.model_validate_json(r.value or b"") for r in records]
    return [s for s in reports if s.job_id == job_id and stage in (None, s.stage)]


def stage_ended(job_id: uuid.UUID, stage: str | None = None) -> Callable[[list[KafkaRecord]], bool]:
    """A :meth:`TopicReader.until` predicate: a report on ``job_id`` (``stage``)
    says it succeeded, failed or was skipped."""
    ends = ("succeeded", "failed", "skipped")
    return lambda seen: any(s.state in ends for s in stage_reports(seen, job_id, stage))
