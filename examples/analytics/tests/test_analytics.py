"""The analytics example against the real broker: pind's contract events
(built with pind_contracts, as the services publish them) on topics of this
test's own namespace, consumed until caught up, then the three answers."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from pind_analytics.__main__ import main
from pind_analytics.consumer import TOPICS, AnalyticsConsumer
from pind_analytics.regions import UNKNOWN, region_of
from pind_analytics.schemas import DEFAULT_SCHEMA_DIR, Schemas
from pind_analytics.store import AnalyticsStore
from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    Envelope,
    Evidence,
    JobStage,
    Place,
    PlacesExtracted,
    Topic,
)

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
async def prefix(kafka_bootstrap: str) -> AsyncIterator[str]:
    """Both topics in a namespace of this test's own (the stage topic with
    three partitions, as in production), deleted afterwards."""
    namespace = f"test.analytics{uuid.uuid4().hex[:10]}."
    names = {namespace + PLACES_EXTRACTED.name: 1, namespace + JOB_STAGE.name: 3}
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, p, 1) for n, p in names.items()])
        yield namespace
        await admin.delete_topics(list(names))
    finally:
        await admin.close()


class Publisher:
    def __init__(self, producer: AIOKafkaProducer, prefix: str) -> None:
        self.producer = producer
        self.prefix = prefix

    async def send(
        self,
        topic: Topic,
        payload: Any,
        at: datetime,
        *,
        event_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        envelope = Envelope(
            type=topic.event_type,
            producer="test",
            subject=payload.video_id,
            job_id=payload.job_id,
            occurred_at=at,
        )
        if event_id is not None:
            envelope = dataclasses.replace(envelope, event_id=event_id)
        await self.producer.send_and_wait(
            self.prefix + topic.name,
            value=payload.model_dump_json().encode(),
            key=payload.video_id.encode(),
            headers=envelope.to_headers(),
        )
        return envelope.event_id

    async def raw(self, topic: Topic, value: bytes, headers: list[tuple[str, bytes]]) -> None:
        await self.producer.send_and_wait(self.prefix + topic.name, value=value, headers=headers)


@pytest.fixture
async def publisher(kafka_bootstrap: str, prefix: str) -> AsyncIterator[Publisher]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        yield Publisher(producer, prefix)
    finally:
        await producer.stop()


def place(key: str, name: str, name_en: str, address: str | None, mentions: int = 1) -> Place:
    return Place(
        key=key,
        name=name,
        name_en=name_en,
        category="landmark",
        lat=37.5,
        lon=127.0,
        address=address,
        confidence=0.9,
        geocoder="gazetteer",
        evidence=[
            Evidence(source="transcript", text=name, start_s=float(i)) for i in range(mentions)
        ],
    )


MARKET = (
    "gazetteer:market:gwangjang",
    "광장시장",
    "Gwangjang Market",
    "서울특별시 종로구 창경궁로 88",
)
PALACE = (
    "gazetteer:palace:gyeongbokgung",
    "경복궁",
    "Gyeongbokgung",
    "서울특별시 종로구 사직로 161",
)
BEACH = ("gazetteer:beach:haeundae", "해운대해수욕장", "Haeundae Beach", "부산광역시 해운대구 우동")
VILLAGE = (
    "gazetteer:village:gamcheon",
    "감천문화마을",
    "Gamcheon Culture Village",
    "부산 사하구 감내2로 203",
)
TEMPLE = ("gazetteer:temple:bulguksa", "불국사", "Bulguksa", None)


def extracted(job_id: uuid.UUID, video_id: str, *places: Place) -> PlacesExtracted:
    return PlacesExtracted(
        job_id=job_id,
        video_id=video_id,
        places=list(places),
        unresolved=[],
        inputs_used=["metadata", "transcript"],
        extractor="offline",
    )


def stage(job_id: uuid.UUID, video_id: str, name: str, state: str) -> JobStage:
    return JobStage(job_id=job_id, video_id=video_id, stage=name, state=state)


async def publish_three_analyses(pub: Publisher) -> dict[str, Any]:
    jobs = {video: uuid.uuid4() for video in ("seoulVlog01", "busanVlog01", "tripVlog001")}
    seoul, busan, trip = jobs
    # Stage reports: (video, stage, seconds from start to the final report, final state).
    runs = [
        (seoul, "ingest", 2, "succeeded"),
        (busan, "ingest", 4, "succeeded"),
        (trip, "ingest", 9, "succeeded"),
        (seoul, "transcript", 10, "succeeded"),
        (busan, "transcript", 20, "succeeded"),
        (seoul, "vision", 5, "succeeded"),
        (trip, "vision", 30, "failed"),  # a failed run counts too: time until it said so
    ]
    for index, (video, name, seconds, final) in enumerate(runs):
        start = T0 + timedelta(minutes=index)
        await pub.send(JOB_STAGE, stage(jobs[video], video, name, "started"), start)
        progress = stage(jobs[video], video, name, "progress")
        await pub.send(JOB_STAGE, progress, start + timedelta(seconds=1))
        end = start + timedelta(seconds=seconds)
        await pub.send(JOB_STAGE, stage(jobs[video], video, name, final), end)

    at = T0 + timedelta(hours=1)
    seoul_places = extracted(jobs[seoul], seoul, place(*MARKET, mentions=3), place(*PALACE))
    seoul_event = await pub.send(PLACES_EXTRACTED, seoul_places, at)
    await pub.send(PLACES_EXTRACTED, seoul_places, at, event_id=seoul_event)  # redelivered
    busan_places = extracted(jobs[busan], busan, place(*BEACH, mentions=2), place(*MARKET))
    await pub.send(PLACES_EXTRACTED, busan_places, at)
    trip_places = extracted(jobs[trip], trip, place(*MARKET), place(*VILLAGE), place(*TEMPLE))
    await pub.send(PLACES_EXTRACTED, trip_places, at)
    # An older extraction of the Seoul vlog, delivered late: the newer one stays.
    stale = extracted(uuid.uuid4(), seoul, place(*TEMPLE))
    await pub.send(PLACES_EXTRACTED, stale, at - timedelta(days=1))

    # Two records the consumer must refuse and skip.
    bad_stage = stage(jobs[trip], trip, "geo", "started").model_dump(mode="json")
    bad_stage["stage"] = "teleport"
    envelope = Envelope(type=JOB_STAGE.event_type, producer="test", subject=trip)
    await pub.raw(JOB_STAGE, json.dumps(bad_stage).encode(), envelope.to_headers())
    await pub.raw(PLACES_EXTRACTED, b'{"no": "headers"}', [])
    return jobs


EXPECTED_MOST_MENTIONED = [
    {"name": "광장시장", "name_en": "Gwangjang Market", "videos": 3, "mentions": 5},
    {"name": "해운대해수욕장", "name_en": "Haeundae Beach", "videos": 1, "mentions": 2},
    {"name": "감천문화마을", "name_en": "Gamcheon Culture Village", "videos": 1, "mentions": 1},
    {"name": "경복궁", "name_en": "Gyeongbokgung", "videos": 1, "mentions": 1},
    {"name": "불국사", "name_en": "Bulguksa", "videos": 1, "mentions": 1},
]
EXPECTED_REGIONS = [
    {"region": "부산광역시", "places": 2, "videos": 2},
    {"region": "서울특별시", "places": 2, "videos": 3},
    {"region": UNKNOWN, "places": 1, "videos": 1},
]
EXPECTED_MEDIANS = [
    {"stage": "ingest", "median_s": 4.0, "runs": 3},
    {"stage": "transcript", "median_s": 15.0, "runs": 2},
    {"stage": "vision", "median_s": 17.5, "runs": 2},
]


async def test_consumer_answers_the_three_questions_from_the_real_broker(
    kafka_bootstrap: str, prefix: str, publisher: Publisher, tmp_path: Path
) -> None:
    await publish_three_analyses(publisher)
    database = tmp_path / "analytics.duckdb"
    group = f"analytics-test-{uuid.uuid4().hex[:8]}"
    store = AnalyticsStore(database)
    schemas = Schemas(DEFAULT_SCHEMA_DIR, list(TOPICS))
    async with AnalyticsConsumer(
        kafka_bootstrap, store, schemas, group=group, topic_prefix=prefix
    ) as consumer:
        progress = await asyncio.wait_for(consumer.run_until_caught_up(), timeout=60)

    assert (progress.applied, progress.repeated, progress.rejected) == (25, 1, 2)
    assert any("stage: 'teleport' is not one of" in r for r in progress.reasons)
    assert any("no ce_id header" in r for r in progress.reasons)
    assert store.most_mentioned_places() == EXPECTED_MOST_MENTIONED
    assert store.places_per_region() == EXPECTED_REGIONS
    assert store.median_stage_seconds() == EXPECTED_MEDIANS
    assert store.counts() == {"videos": 3, "places": 7, "stage_events": 21, "rejected": 2}
    store.close()

    # The command line gives the same answers.
    out = io.StringIO()
    assert main(["--db", str(database), "report", "--json"], out=out) == 0
    assert json.loads(out.getvalue()) == {
        "most_mentioned_places": EXPECTED_MOST_MENTIONED,
        "places_per_region": EXPECTED_REGIONS,
        "median_seconds_per_stage": EXPECTED_MEDIANS,
    }
    text = io.StringIO()
    assert main(["--db", str(database), "report"], out=text) == 0
    assert "광장시장 (Gwangjang Market): 3, 5" in text.getvalue()
    assert "ingest: 4.0, 3" in text.getvalue()

    # Its own group's committed offsets: a second run applies only what is new.
    video = "seoulVlog01"
    job = uuid.uuid4()
    await publisher.send(JOB_STAGE, stage(job, video, "geo", "started"), T0)
    await publisher.send(
        JOB_STAGE, stage(job, video, "geo", "succeeded"), T0 + timedelta(seconds=3)
    )
    again = io.StringIO()
    argv = ["--db", str(database), "consume", "--bootstrap", kafka_bootstrap, "--group", group]
    argv += ["--topic-prefix", prefix, "--until-caught-up"]
    assert await asyncio.to_thread(main, argv, again) == 0
    assert again.getvalue().strip() == "applied 2, repeated 0, rejected 0"


@pytest.mark.parametrize(
    ("address", "region"),
    [
        ("서울특별시 종로구 사직로 161", "서울특별시"),
        ("서울 종로구 사직로 161", "서울특별시"),
        ("경기 수원시 팔달구", "경기도"),
        ("강원도 강릉시 창해로", "강원특별자치도"),
        ("전라북도 전주시 완산구", "전북특별자치도"),
        (
            "Gwangjang Market, 88, Changgyeonggung-ro, Jongno-gu, Seoul, 03195, South Korea",
            "서울특별시",
        ),
        ("Haeundae Beach, Haeundae-gu, Busan, South Korea", "부산광역시"),
        ("Bulguksa, Gyeongju-si, North Gyeongsang Province, South Korea", "경상북도"),
        ("Jeju-do, South Korea", "제주특별자치도"),
        ("Tokyo, Japan", UNKNOWN),
        (None, UNKNOWN),
        ("  ", UNKNOWN),
    ],
)
def test_region_of_an_address(address: str | None, region: str) -> None:
    assert region_of(address) == region


def test_missing_schemas_say_where_to_point(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="pass --schemas DIR"):
        Schemas(tmp_path, list(TOPICS))
