"""The ingest handler with the real broker, the real database and the fake YouTube."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from pind_contracts import (
    JOB_STAGE,
    VIDEO_INGESTED,
    Topic,
    VideoIngested,
    VideoRequested,
)
from pind_ingest.__main__ import MIGRATIONS_DIR
from pind_ingest.adapters.youtube import YoutubeMetadataReader
from pind_ingest.service import IngestService
from pind_ingest.settings import IngestSettings
from pind_ingest.subscribers import register
from pind_kit.consume import Worker
from pind_kit.migrations import upgrade
from pind_kit.testing import (
    TopicReader,
    closed_port,
    database_url,
    publish_event,
    running,
    stage_ended,
    stage_reports,
    stand_in_topic,
)


def ingest_settings(kafka_bootstrap: str, recorded_url: str) -> IngestSettings:
    return IngestSettings(
        database_url=database_url("ingest"),
        kafka_bootstrap=kafka_bootstrap,
        youtube_recorded_url=recorded_url,
        max_duration_s=3 * 3600,
        retry_attempts=2,
        retry_backoff_initial_s=0.05,
        relay_poll_interval_s=0.05,
        metadata_socket_timeout_s=2,
    )


@pytest.fixture(scope="module")
async def migrated(kafka_bootstrap: str) -> None:
    await asyncio.to_thread(upgrade, ingest_settings(kafka_bootstrap, ""), MIGRATIONS_DIR)


@pytest.fixture
async def requests_topic(kafka_bootstrap: str, migrated: None) -> Topic:
    """A fresh stand-in for pind.video.requested.v1, so no other consumer sees our events."""
    return await stand_in_topic(kafka_bootstrap, "ingest-requested", VideoRequested)


def ingest_worker(settings: IngestSettings, topic: Topic) -> Worker:
    worker = Worker(settings)
    service = IngestService(YoutubeMetadataReader(settings), settings.max_duration_s)
    register(worker, service, topic=topic, group=f"pind-ingest-test-{uuid.uuid4().hex[:8]}")
    return worker


async def publish_request(bootstrap: str, topic: Topic, video_id: str) -> VideoRequested:
    request = VideoRequested(
        job_id=uuid.uuid4(),
        video_id=video_id,
        url=f"https://www.youtube.com/watch?v={video_id}",
        requested_at=datetime.now(UTC),
    )
    await publish_event(bootstrap, topic, request)
    return request


async def test_a_requested_video_is_ingested(
    kafka_bootstrap: str, fake_youtube: str, requests_topic: Topic
) -> None:
    worker = ingest_worker(ingest_settings(kafka_bootstrap, fake_youtube), requests_topic)
    async with (
        TopicReader(kafka_bootstrap, VIDEO_INGESTED.name) as ingested_reader,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stage_reader,
        running(worker),
    ):
        request = await publish_request(kafka_bootstrap, requests_topic, "pindSeoul01")
        stage_records = await stage_reader.until(stage_ended(request.job_id))
        ingested_records = await ingested_reader.until(
            lambda seen: any(
                VideoIngested.model_validate_json(r.value or b"").job_id == request.job_id
                for r in seen
            )
        )

    stages = stage_reports(stage_records, request.job_id)
    assert [(s.stage, s.state) for s in stages] == [("ingest", "started"), ("ingest", "succeeded")]
    record = next(
        r
        for r in ingested_records
        if VideoIngested.model_validate_json(r.value or b"").job_id == request.job_id
    )
    ingested = VideoIngested.model_validate_json(record.value or b"")
    assert ingested.video_id == "pindSeoul01"
    assert ingested.options == request.options
    assert ingested.metadata.title.startswith("서울 전통시장 먹방 투어")
    assert {(t.lang, t.kind) for t in ingested.caption_tracks} == {
        ("ko", "manual"),
        ("ko", "generated"),
    }
    assert record.key == b"pindSeoul01"
    assert record.headers["ce_type"] == VIDEO_INGESTED.event_type.encode()
    assert record.headers["ce_jobid"] == str(request.job_id).encode()


async def test_a_private_video_fails_the_stage_and_is_not_ingested(
    kafka_bootstrap: str, fake_youtube: str, requests_topic: Topic
) -> None:
    worker = ingest_worker(ingest_settings(kafka_bootstrap, fake_youtube), requests_topic)
    async with (
        TopicReader(kafka_bootstrap, VIDEO_INGESTED.name) as ingested_reader,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stage_reader,
        running(worker),
    ):
        request = await publish_request(kafka_bootstrap, requests_topic, "pindPrivat1")
        stage_records = await stage_reader.until(stage_ended(request.job_id))
        # The outcome is committed in one transaction and relayed in order: once the
        # failed stage is out, an ingested event would be too.
        ingested_records = await ingested_reader.drain(quiet_s=1.0)

    failed = stage_reports(stage_records, request.job_id)[-1]
    assert (failed.state, failed.error_code, failed.retryable) == ("failed", "private", False)
    assert failed.reason is not None and "private" in failed.reason
    assert not [
        r
        for r in ingested_records
        if VideoIngested.model_validate_json(r.value or b"").job_id == request.job_id
    ]


async def test_an_unreachable_youtube_is_retried_then_dead_lettered(
    kafka_bootstrap: str, requests_topic: Topic
) -> None:
    refused = closed_port()
    settings = ingest_settings(kafka_bootstrap, f"http://127.0.0.1:{refused}")
    worker = ingest_worker(settings, requests_topic)
    async with (
        TopicReader(kafka_bootstrap, requests_topic.dlt) as dlt_reader,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stage_reader,
        running(worker),
    ):
        request = await publish_request(kafka_bootstrap, requests_topic, "pindSeoul01")
        dead = await dlt_reader.until(lambda seen: len(seen) >= 1)
        stage_records = await stage_reader.until(stage_ended(request.job_id))

    assert dead[0].headers["pind_dlt_error_type"] == b"YoutubeUnreachable"
    assert dead[0].headers["pind_dlt_attempts"] == b"2"
    stages = stage_reports(stage_records, request.job_id)
    assert [s.state for s in stages] == ["started", "started", "failed"]
    assert stages[-1].retryable is True
