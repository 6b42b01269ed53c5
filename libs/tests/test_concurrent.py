"""Single-event handlers run several at a time (``concurrency`` > 1), against the
real broker and database: events of different keys overlap, one key's events
stay in order, each event is handled once, and a poison event is dead-lettered
alone while the rest of its fetch is handled."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from types import SimpleNamespace

import pytest

from pind_contracts import JobStage, Topic
from pind_contracts.envelope import Envelope
from pind_kit.consume import Incoming, UnitOfWork, Worker
from pind_kit.consume.concurrent import lanes
from pind_kit.settings import ServiceSettings
from pind_kit.testing import TopicReader, create_topics, publish_raw, running, unique_topic

SCHEMA = "kit_test"


def _settings(admin_database_url: str, kafka_bootstrap: str) -> ServiceSettings:
    return ServiceSettings(
        service_name="kit-test",
        database_url=admin_database_url,
        db_schema=SCHEMA,
        kafka_bootstrap=kafka_bootstrap,
        retry_attempts=2,
        retry_backoff_initial_s=0.05,
        relay_poll_interval_s=0.1,
    )


def _message(video_id: str, note: str, topic: Topic) -> tuple[bytes, list[tuple[str, bytes]]]:
    payload = JobStage(
        job_id=uuid.uuid4(), video_id=video_id, stage="geo", state="progress", reason=note
    )
    envelope = Envelope(
        type=topic.event_type, producer="test", subject=video_id, job_id=payload.job_id
    )
    return payload.model_dump_json().encode(), envelope.to_headers()


@pytest.fixture
async def topics(kafka_bootstrap: str) -> tuple[Topic, Topic]:
    source = Topic(unique_topic("kitc"), JobStage, 1, "video id", "kit test input")
    output = Topic(unique_topic("kitcout"), JobStage, 1, "video id", "kit test output")
    await create_topics(kafka_bootstrap, [source.name, source.dlt, output.name, output.dlt])
    return source, output


def test_lanes_keep_each_key_in_offset_order() -> None:
    def record(partition: int, offset: int, key: bytes | None) -> SimpleNamespace:
        return SimpleNamespace(partition=partition, offset=offset, key=key)

    fetched = [
        record(0, 3, b"a"),
        record(0, 1, b"a"),
        record(0, 2, b"b"),
        record(1, 5, None),
        record(1, 4, None),
        record(0, 6, None),
    ]
    split = [[(r.partition, r.offset, r.key) for r in lane] for lane in lanes(fetched)]
    assert split == [
        [(0, 1, b"a"), (0, 3, b"a")],
        [(0, 2, b"b")],
        [(1, 4, None), (1, 5, None)],
        [(0, 6, None)],
    ]


def test_concurrency_below_one_is_refused(admin_database_url: str, kafka_bootstrap: str) -> None:
    worker = Worker(_settings(admin_database_url, kafka_bootstrap))
    source = Topic(unique_topic("kitc"), JobStage, 1, "video id", "kit test input")
    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        worker.handler(source, group="kit-c", concurrency=0)


async def test_keys_overlap_and_each_key_stays_in_order(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, topics: tuple[Topic, Topic]
) -> None:
    source, output = topics
    settings = _settings(admin_database_url, kafka_bootstrap)
    worker = Worker(settings.model_copy(update={"consume_concurrency": 8}))
    keys = [f"video{n:06d}" for n in range(4)]
    per_key = 3
    both_started = asyncio.Event()
    in_flight = 0
    most_in_flight = 0
    seen: dict[str, list[str]] = defaultdict(list)

    @worker.handler(source, group=f"kit-{uuid.uuid4().hex[:8]}")  # the setting's 8
    async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        if in_flight >= 2:
            both_started.set()
        try:
            # Each event waits for a second one to be in flight: handled one
            # at a time, none would ever be emitted.
            await asyncio.wait_for(both_started.wait(), timeout=10)
            seen[event.payload.video_id].append(event.payload.reason or "")
            await uow.emit(output, event.payload)
        finally:
            in_flight -= 1

    messages = [(key, *_message(key, f"{key}-{n}", source)) for n in range(per_key) for key in keys]
    # Published before the worker starts, so its first fetch holds them all.
    for key, value, headers in messages:
        await publish_raw(kafka_bootstrap, source.name, value, headers, key.encode())
    async with TopicReader(kafka_bootstrap, output.name) as out, running(worker):
        emitted = await out.until(lambda got: len(got) >= len(messages))

    assert most_in_flight >= 2
    assert len(emitted) == len(messages)
    for key in keys:
        assert seen[key] == [f"{key}-{n}" for n in range(per_key)]


async def test_poison_in_a_concurrent_fetch_is_dead_lettered_alone(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, topics: tuple[Topic, Topic]
) -> None:
    source, output = topics
    worker = Worker(_settings(admin_database_url, kafka_bootstrap))
    calls: dict[str, int] = defaultdict(int)

    @worker.handler(source, group=f"kit-{uuid.uuid4().hex[:8]}", concurrency=8)
    async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        calls[event.payload.reason or ""] += 1
        if event.payload.reason == "poison":
            raise ValueError("cannot handle poison")
        await uow.emit(output, event.payload)

    good = [_message(f"video{n:06d}", f"good-{n}", source) for n in range(6)]
    poison_value, poison_headers = _message("poisoned001", "poison", source)
    async with (
        TopicReader(kafka_bootstrap, source.dlt) as dlt,
        TopicReader(kafka_bootstrap, output.name) as out,
        running(worker),
    ):
        for n, (value, headers) in enumerate(good):
            if n == 3:
                await publish_raw(
                    kafka_bootstrap, source.name, poison_value, poison_headers, b"poisoned001"
                )
            await publish_raw(
                kafka_bootstrap, source.name, value, headers, f"video{n:06d}".encode()
            )
        dead = await dlt.until(lambda got: len(got) >= 1)
        emitted = await out.until(lambda got: len(got) >= len(good))

    assert [d.value for d in dead] == [poison_value]
    notes = sorted(JobStage.model_validate_json(r.value or b"").reason or "" for r in emitted)
    assert notes == sorted(f"good-{n}" for n in range(6))
    assert all(calls[f"good-{n}"] == 1 for n in range(6))
    assert calls["poison"] == 1


async def test_redelivered_events_are_handled_once(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, topics: tuple[Topic, Topic]
) -> None:
    source, output = topics
    settings = _settings(admin_database_url, kafka_bootstrap)
    group = f"kit-{uuid.uuid4().hex[:8]}"
    calls: dict[str, int] = defaultdict(int)

    def worker() -> Worker:
        w = Worker(settings)

        @w.handler(source, group=group, concurrency=8)
        async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
            calls[event.payload.reason or ""] += 1
            await uow.emit(output, event.payload)

        return w

    once = _message("video000001", "once", source)
    other = _message("video000002", "other", source)
    # One fetch holding each of two events twice, on two keys.
    for key, (value, headers) in ((b"video000001", once), (b"video000002", other)) * 2:
        await publish_raw(kafka_bootstrap, source.name, value, headers, key)
    async with TopicReader(kafka_bootstrap, output.name) as out, running(worker()):
        await out.until(lambda got: len(got) >= 2)
    # Delivered again later: the fetch's one query finds it processed.
    marker = _message("video000001", "marker", source)
    for value, headers in (once, marker):  # one key: "once" would be emitted first
        await publish_raw(kafka_bootstrap, source.name, value, headers, b"video000001")
    async with TopicReader(kafka_bootstrap, output.name) as out, running(worker()):
        emitted = await out.until(lambda got: len(got) >= 1)

    assert [JobStage.model_validate_json(r.value or b"").reason for r in emitted] == ["marker"]
    assert dict(calls) == {"once": 1, "other": 1, "marker": 1}
