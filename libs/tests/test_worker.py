"""The kit's delivery guarantees, against the real broker and database:
dead-lettering moves the partition on, a redelivered event changes nothing,
transient failures are retried, undecodable messages go to the DLT."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from pind_contracts import JobStage, Topic
from pind_contracts.envelope import Envelope
from pind_kit.consume import Incoming, TransientError, UnitOfWork, Worker
from pind_kit.db import add_kit_tables
from pind_kit.settings import ServiceSettings
from pind_kit.testing import (
    TopicReader,
    create_topics,
    physical_topic,
    publish_raw,
    running,
    unique_topic,
)

SCHEMA = "kit_test"


def _settings(admin_database_url: str, kafka_bootstrap: str) -> ServiceSettings:
    return ServiceSettings(
        service_name="kit-test",
        database_url=admin_database_url,
        db_schema=SCHEMA,
        kafka_bootstrap=kafka_bootstrap,
        retry_attempts=3,
        retry_backoff_initial_s=0.05,
        relay_poll_interval_s=0.1,
    )


def _stage(job_id: uuid.UUID, note: str) -> JobStage:
    return JobStage(
        job_id=job_id, video_id="abcdefghijk", stage="geo", state="progress", reason=note
    )


def _message(payload: JobStage, topic: Topic) -> tuple[bytes, list[tuple[str, bytes]]]:
    envelope = Envelope(
        type=topic.event_type, producer="test", subject=payload.video_id, job_id=payload.job_id
    )
    return payload.model_dump_json().encode(), envelope.to_headers()


async def _effects(admin_database_url: str) -> list[tuple[Any, ...]]:
    engine = create_async_engine(admin_database_url)
    async with engine.connect() as conn:
        rows = (await conn.execute(text(f"SELECT event_id, note FROM {SCHEMA}.effects"))).all()
    await engine.dispose()
    return [tuple(r) for r in rows]


@pytest.fixture
async def topics(kafka_bootstrap: str) -> tuple[Topic, Topic]:
    source = Topic(unique_topic("kit"), JobStage, 1, "video id", "kit test input")
    output = Topic(unique_topic("kitout"), JobStage, 1, "video id", "kit test output")
    await create_topics(kafka_bootstrap, [source.name, source.dlt, output.name, output.dlt])
    return source, output


async def test_failure_goes_to_dlt_and_partition_moves_on(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, topics: tuple[Topic, Topic]
) -> None:
    source, output = topics
    worker = Worker(_settings(admin_database_url, kafka_bootstrap))
    job = uuid.uuid4()

    @worker.handler(source, group=f"kit-{uuid.uuid4().hex[:8]}")
    async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        if event.payload.reason == "poison":
            raise ValueError("cannot handle poison")
        await uow.emit(output, event.payload)

    poison_value, poison_headers = _message(_stage(job, "poison"), source)
    good_value, good_headers = _message(_stage(job, "good"), source)
    async with (
        TopicReader(kafka_bootstrap, source.dlt) as dlt,
        TopicReader(kafka_bootstrap, output.name) as out,
        running(worker),
    ):
        await publish_raw(
            kafka_bootstrap, source.name, poison_value, poison_headers, b"abcdefghijk"
        )
        await publish_raw(kafka_bootstrap, source.name, b"{not json", good_headers, b"abcdefghijk")
        await publish_raw(kafka_bootstrap, source.name, good_value, good_headers, b"abcdefghijk")
        dead = await dlt.until(lambda seen: len(seen) >= 2)
        emitted = await out.until(lambda seen: len(seen) >= 1)

    assert dead[0].value == poison_value
    assert dead[0].headers["ce_id"] == dict(poison_headers)["ce_id"]
    assert dead[0].headers["pind_dlt_error"].startswith(b"ValueError: cannot handle poison")
    assert dead[0].headers["pind_dlt_original_topic"] == physical_topic(source.name).encode()
    assert dead[1].value == b"{not json"
    assert dead[1].headers["pind_dlt_error_type"] == b"UndecodableEvent"
    # the partition moved on: the good event after both bad ones was handled
    assert JobStage.model_validate_json(emitted[0].value or b"").reason == "good"
    assert emitted[0].headers["ce_causationid"] == dict(good_headers)["ce_id"]


async def test_redelivered_event_changes_nothing(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, topics: tuple[Topic, Topic]
) -> None:
    source, output = topics
    worker = Worker(_settings(admin_database_url, kafka_bootstrap))
    calls: list[uuid.UUID] = []

    @worker.handler(source, group=f"kit-{uuid.uuid4().hex[:8]}")
    async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        calls.append(event.event_id)
        async with uow.transaction() as session:
            await session.execute(
                text(f"INSERT INTO {SCHEMA}.effects VALUES (:id, :note)"),
                {"id": event.event_id, "note": event.payload.reason},
            )
            await uow.emit(output, event.payload)

    job = uuid.uuid4()
    value, headers = _message(_stage(job, f"once-{job}"), source)
    marker_value, marker_headers = _message(_stage(job, f"marker-{job}"), source)
    async with TopicReader(kafka_bootstrap, output.name) as out, running(worker):
        for _ in range(3):  # the same event id delivered three times
            await publish_raw(kafka_bootstrap, source.name, value, headers, b"abcdefghijk")
        await publish_raw(
            kafka_bootstrap, source.name, marker_value, marker_headers, b"abcdefghijk"
        )
        emitted = await out.until(lambda seen: any(b"marker-" in (r.value or b"") for r in seen))

    notes = [n for _, n in await _effects(admin_database_url)]
    assert notes.count(f"once-{job}") == 1
    assert sum(b"once-" in (r.value or b"") for r in emitted) == 1
    assert len(calls) == 2  # duplicates were skipped before the handler ran


async def test_transient_failures_are_retried(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, topics: tuple[Topic, Topic]
) -> None:
    source, output = topics
    worker = Worker(_settings(admin_database_url, kafka_bootstrap))
    attempts: list[int] = []

    @worker.handler(source, group=f"kit-{uuid.uuid4().hex[:8]}")
    async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise TransientError("upstream timed out")
        await uow.emit(output, event.payload)

    value, headers = _message(_stage(uuid.uuid4(), "flaky"), source)
    async with (
        TopicReader(kafka_bootstrap, output.name) as out,
        TopicReader(kafka_bootstrap, source.dlt) as dlt,
        running(worker),
    ):
        await publish_raw(kafka_bootstrap, source.name, value, headers, b"abcdefghijk")
        await out.until(lambda seen: len(seen) == 1)
        assert await dlt.drain(quiet_s=0.5) == []
    assert len(attempts) == 3


async def test_exhausted_retries_dead_letter_and_fail_the_stage(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, topics: tuple[Topic, Topic]
) -> None:
    from pind_contracts import JOB_STAGE

    source, _ = topics
    await create_topics(kafka_bootstrap, [JOB_STAGE.name], partitions=6)
    worker = Worker(_settings(admin_database_url, kafka_bootstrap))

    @worker.handler(source, group=f"kit-{uuid.uuid4().hex[:8]}", stage="vision")
    async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        raise TransientError("still down")

    job = uuid.uuid4()
    value, headers = _message(_stage(job, "doomed"), source)
    async with (
        TopicReader(kafka_bootstrap, source.dlt) as dlt,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stages,
        running(worker),
    ):
        await publish_raw(kafka_bootstrap, source.name, value, headers, b"abcdefghijk")
        dead = await dlt.until(lambda seen: len(seen) == 1)
        seen = await stages.until(
            lambda recs: any(str(job).encode() in (r.value or b"") for r in recs)
        )
    assert dead[0].headers["pind_dlt_attempts"] == b"3"
    failed = [
        JobStage.model_validate_json(r.value or b"")
        for r in seen
        if str(job).encode() in (r.value or b"")
    ]
    assert failed[0].stage == "vision" and failed[0].state == "failed"
    assert failed[0].retryable is True
    assert "still down" in (failed[0].reason or "")


def test_kit_tables_declared_once() -> None:
    from sqlalchemy import MetaData

    metadata = MetaData(schema="x")
    add_kit_tables(metadata)
    assert set(metadata.tables) == {"x.processed_events", "x.outbox"}
