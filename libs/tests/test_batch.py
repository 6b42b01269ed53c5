"""The kit's batch mode against the real broker and database: a fetch is
applied in one transaction; a poison event or an unreadable record in the
middle of a batch goes to the DLT alone; duplicates within and across batches
are skipped; a crash mid-batch and a replay from offset 0 change nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from pind_contracts import JobStage, Topic
from pind_contracts.envelope import Envelope, new_event_id
from pind_kit.consume import Batch, Worker, kafka_group_id
from pind_kit.settings import ServiceSettings
from pind_kit.testing import TopicReader, physical_topic, running, stand_in_topic

SCHEMA = "kit_batch_test"
Message = tuple[bytes | None, list[tuple[str, bytes]]]


@pytest.fixture(autouse=True)
async def no_effects(kit_schema: str, admin_database_url: str) -> None:
    engine = create_async_engine(admin_database_url)
    async with engine.begin() as conn:
        await conn.execute(text(f"DELETE FROM {kit_schema}.effects"))
    await engine.dispose()


@pytest.fixture
async def source(kafka_bootstrap: str) -> Topic:
    return await stand_in_topic(kafka_bootstrap, "kitbatch", JobStage, "kit batch test input")


def _worker(admin_database_url: str, kafka_bootstrap: str, **settings: Any) -> Worker:
    return Worker(
        ServiceSettings(
            service_name="kit-batch-test",
            database_url=admin_database_url,
            db_schema=SCHEMA,
            kafka_bootstrap=kafka_bootstrap,
            retry_attempts=2,
            retry_backoff_initial_s=0.05,
            relay_poll_interval_s=0.1,
            **settings,
        )
    )


def _event(note: str, event_id: uuid.UUID | None = None) -> Message:
    payload = JobStage(
        job_id=uuid.uuid4(), video_id="abcdefghijk", stage="geo", state="progress", reason=note
    )
    envelope = Envelope(
        type="pind.job.stage",
        producer="test",
        subject=payload.video_id,
        job_id=payload.job_id,
        event_id=event_id or new_event_id(),
    )
    return payload.model_dump_json().encode(), envelope.to_headers()


async def _publish(bootstrap: str, topic: Topic, messages: Iterable[Message]) -> None:
    """Send ``messages`` in order to the topic's one partition."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for value, headers in messages:
            await producer.send(
                physical_topic(topic.name), value=value, key=b"abcdefghijk", headers=headers
            )
        await producer.flush()
    finally:
        await producer.stop()


async def _effects(admin_database_url: str) -> list[str]:
    engine = create_async_engine(admin_database_url)
    async with engine.connect() as conn:
        notes = (await conn.execute(text(f"SELECT note FROM {SCHEMA}.effects"))).scalars().all()
    await engine.dispose()
    return sorted(notes)


class Projection:
    """A batch handler that writes one effect row per event and fails on
    ``poison`` after writing some; it records what it was handed and what
    committed, and wakes :meth:`until` after each commit."""

    def __init__(self) -> None:
        self.handed: list[list[str]] = []
        self.committed: list[str] = []
        self._changed = asyncio.Event()

    async def apply(self, batch: Batch[JobStage]) -> None:
        notes = [event.payload.reason or "" for event in batch.events]
        self.handed.append(notes)
        for event in batch.events:
            if event.payload.reason == "poison":
                raise ValueError("cannot apply poison")
            await batch.session.execute(
                text(f"INSERT INTO {SCHEMA}.effects VALUES (:id, :note)"),
                {"id": event.event_id, "note": event.payload.reason},
            )
        batch.after_commit(lambda: self._note(notes))

    def _note(self, notes: list[str]) -> None:
        self.committed += notes
        self._changed.set()

    async def until(self, done: Callable[[list[str]], bool], timeout_s: float = 30.0) -> None:
        async with asyncio.timeout(timeout_s):
            while not done(self.committed):
                self._changed.clear()
                await self._changed.wait()


def _group() -> str:
    return f"kit-batch-{uuid.uuid4().hex[:8]}"


async def test_a_poison_event_mid_batch_goes_to_the_dlt_alone(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, source: Topic
) -> None:
    worker = _worker(admin_database_url, kafka_bootstrap)
    projection = Projection()
    worker.batch_handler(source, group=_group())(projection.apply)
    unreadable_header = [(k, b"\xff" if k == "ce_source" else v) for k, v in _event("x")[1]]
    await _publish(
        kafka_bootstrap,
        source,
        [
            _event("a"),
            _event("b"),
            _event("poison"),
            (b"{not json", _event("y")[1]),
            (_event("z")[0], unreadable_header),
            _event("c"),
            _event("d"),
        ],
    )
    async with TopicReader(kafka_bootstrap, source.dlt) as dlt, running(worker):
        await projection.until(lambda notes: {"a", "b", "c", "d"} <= set(notes))
        dead = await dlt.until(lambda seen: len(seen) >= 3)

    assert await _effects(admin_database_url) == ["a", "b", "c", "d"]
    assert any("poison" in notes and len(notes) > 1 for notes in projection.handed)
    assert ["poison"] in projection.handed  # isolated, then given up on
    errors = sorted(record.headers["pind_dlt_error_type"] for record in dead)
    assert errors == [b"UndecodableEvent", b"UndecodableEvent", b"ValueError"]
    poisoned = next(r for r in dead if r.headers["pind_dlt_error_type"] == b"ValueError")
    assert poisoned.headers["pind_dlt_error"].startswith(b"ValueError: cannot apply poison")
    assert poisoned.headers["pind_dlt_original_topic"] == physical_topic(source.name).encode()


async def test_duplicates_within_and_across_batches_are_applied_once(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, source: Topic
) -> None:
    worker = _worker(admin_database_url, kafka_bootstrap)
    projection = Projection()
    worker.batch_handler(source, group=_group())(projection.apply)
    twice = uuid.uuid4()
    await _publish(
        kafka_bootstrap, source, [_event("dup", twice), _event("dup", twice), _event("first")]
    )
    async with running(worker):
        await projection.until(lambda notes: "first" in notes)
        await _publish(kafka_bootstrap, source, [_event("dup", twice), _event("second")])
        await projection.until(lambda notes: "second" in notes)

    assert await _effects(admin_database_url) == ["dup", "first", "second"]
    assert sum(notes.count("dup") for notes in projection.handed) == 1


async def test_a_crash_mid_batch_and_a_replay_from_offset_zero_change_nothing(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, source: Topic
) -> None:
    group = _group()
    await _publish(kafka_bootstrap, source, [_event("a"), _event("b"), _event("c")])

    # The process dies with the batch's effects written but not committed.
    crashing = _worker(admin_database_url, kafka_bootstrap, shutdown_grace_s=0.1)
    reached = asyncio.Event()

    @crashing.batch_handler(source, group=group)
    async def write_then_hang(batch: Batch[JobStage]) -> None:
        for event in batch.events:
            await batch.session.execute(
                text(f"INSERT INTO {SCHEMA}.effects VALUES (:id, :note)"),
                {"id": event.event_id, "note": event.payload.reason},
            )
        reached.set()
        await asyncio.Event().wait()

    async with running(crashing):
        await asyncio.wait_for(reached.wait(), timeout=30)
    assert await _effects(admin_database_url) == []

    # The next process gets the whole batch again and applies it once.
    projection = Projection()
    restarted = _worker(admin_database_url, kafka_bootstrap)
    restarted.batch_handler(source, group=group)(projection.apply)
    async with running(restarted):
        await projection.until(lambda notes: len(notes) == 3)
    assert await _effects(admin_database_url) == ["a", "b", "c"]

    # Committed, but the offsets are lost: everything is delivered again.
    await _rewind(kafka_bootstrap, kafka_group_id(group, source), source)
    replay = Projection()
    replaying = _worker(admin_database_url, kafka_bootstrap)
    replaying.batch_handler(source, group=group)(replay.apply)
    async with running(replaying):
        await _publish(kafka_bootstrap, source, [_event("after")])
        await replay.until(lambda notes: "after" in notes)
    assert replay.handed == [["after"]]
    assert await _effects(admin_database_url) == ["a", "after", "b", "c"]


async def _rewind(bootstrap: str, kafka_group: str, topic: Topic) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=kafka_group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partition = TopicPartition(physical_topic(topic.name), 0)
        consumer.assign([partition])
        await consumer.commit({partition: 0})
    finally:
        await consumer.stop()
