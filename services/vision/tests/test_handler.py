"""The vision handler with the real broker, the real database and the fake YouTube."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from pind_contracts import (
    JOB_STAGE,
    VISION_READY,
    Topic,
    VideoIngested,
    VisionReady,
)
from pind_contracts.events.video_ingested import VideoMetadata
from pind_kit.consume import Worker
from pind_kit.migrations import upgrade
from pind_kit.testing import (
    KafkaRecord,
    TopicReader,
    closed_port,
    database_url,
    publish_event,
    running,
    stage_ended,
    stage_reports,
    stand_in_topic,
)
from pind_vision.__main__ import MIGRATIONS_DIR
from pind_vision.adapters.ocr import DetectorTesseractEngine
from pind_vision.app import build_service
from pind_vision.settings import VisionSettings
from pind_vision.subscribers import register


def handler_settings(kafka_bootstrap: str, recorded_url: str, **overrides: Any) -> VisionSettings:
    values: dict[str, Any] = {
        "database_url": database_url("vision"),
        "kafka_bootstrap": kafka_bootstrap,
        "youtube_recorded_url": recorded_url,
        "retry_attempts": 2,
        "retry_backoff_initial_s": 0.05,
        "relay_poll_interval_s": 0.05,
        "media_socket_timeout_s": 2,
        # The wiring is under test here, not the reading (see test_samples).
        "sample_max_frames": 2,
        "read_thumbnail": False,
        "progress_every_s": 0.01,
    }
    values.update(overrides)
    return VisionSettings.model_validate(values)


@pytest.fixture(scope="module")
async def migrated(kafka_bootstrap: str) -> None:
    await asyncio.to_thread(upgrade, handler_settings(kafka_bootstrap, ""), MIGRATIONS_DIR)


@pytest.fixture
async def ingested_topic(kafka_bootstrap: str, migrated: None) -> Topic:
    """A fresh stand-in for pind.video.ingested.v1, so no other consumer sees our events."""
    return await stand_in_topic(kafka_bootstrap, "vision-ingested", VideoIngested)


def vision_worker(
    settings: VisionSettings, topic: Topic, engine: DetectorTesseractEngine
) -> Worker:
    worker = Worker(settings)
    register(
        worker,
        build_service(settings, engine=engine),
        topic=topic,
        group=f"pind-vision-test-{uuid.uuid4().hex[:8]}",
    )
    return worker


async def publish_ingested(bootstrap: str, topic: Topic, video_id: str) -> VideoIngested:
    ingested = VideoIngested(
        job_id=uuid.uuid4(),
        video_id=video_id,
        metadata=VideoMetadata(
            title="sample",
            duration_s=40,
            webpage_url=f"https://www.youtube.com/watch?v={video_id}",
        ),
    )
    await publish_event(bootstrap, topic, ingested)
    return ingested


def ready_for(records: list[KafkaRecord], job_id: uuid.UUID) -> list[KafkaRecord]:
    return [r for r in records if VisionReady.model_validate_json(r.value or b"").job_id == job_id]


async def test_an_ingested_video_is_read(
    kafka_bootstrap: str,
    fake_youtube: str,
    ingested_topic: Topic,
    engine: DetectorTesseractEngine,
) -> None:
    settings = handler_settings(kafka_bootstrap, fake_youtube)
    worker = vision_worker(settings, ingested_topic, engine)
    async with (
        TopicReader(kafka_bootstrap, VISION_READY.name) as ready_reader,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stage_reader,
        running(worker),
    ):
        ingested = await publish_ingested(kafka_bootstrap, ingested_topic, "pindSeoul01")
        stage_records = await stage_reader.until(
            stage_ended(ingested.job_id, "vision"), within_s=120
        )
        ready_records = await ready_reader.until(
            lambda seen: bool(ready_for(seen, ingested.job_id)), within_s=30
        )

    states = [s.state for s in stage_reports(stage_records, ingested.job_id, "vision")]
    assert states[0] == "started" and states[-1] == "succeeded", states
    assert set(states[1:-1]) <= {"progress"} and "progress" in states
    [record] = ready_for(ready_records, ingested.job_id)
    ready = VisionReady.model_validate_json(record.value or b"")
    assert ready.video_id == "pindSeoul01" and ready.frames_sampled == 2
    # The first two samples are of the first shot, at Seoul Station.
    assert {"서울역", "seoulstation"} <= {t.text.replace(" ", "").casefold() for t in ready.texts}
    assert record.key == b"pindSeoul01"
    assert record.headers["ce_type"] == VISION_READY.event_type.encode()
    assert record.headers["ce_jobid"] == str(ingested.job_id).encode()


@pytest.mark.parametrize(
    ("video_id", "overrides", "expected"),
    [
        ("pindBotChk1", {}, ("failed", "blocked", True)),
        ("pindPrivat1", {}, ("failed", "unavailable", False)),
        ("pindSeoul01", {"media_max_filesize_mb": 0.5}, ("skipped", "too_large", False)),
    ],
)
async def test_a_video_that_cannot_be_read_ends_the_stage_readably(
    kafka_bootstrap: str,
    fake_youtube: str,
    ingested_topic: Topic,
    engine: DetectorTesseractEngine,
    video_id: str,
    overrides: dict[str, Any],
    expected: tuple[str, str, bool],
) -> None:
    settings = handler_settings(kafka_bootstrap, fake_youtube, **overrides)
    worker = vision_worker(settings, ingested_topic, engine)
    async with (
        TopicReader(kafka_bootstrap, VISION_READY.name) as ready_reader,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stage_reader,
        running(worker),
    ):
        ingested = await publish_ingested(kafka_bootstrap, ingested_topic, video_id)
        stage_records = await stage_reader.until(stage_ended(ingested.job_id, "vision"))
        ready_records = await ready_reader.until(
            lambda seen: bool(ready_for(seen, ingested.job_id))
        )
        ready_records += await ready_reader.drain(quiet_s=1.0)

    last = stage_reports(stage_records, ingested.job_id, "vision")[-1]
    assert (last.state, last.error_code, last.retryable) == expected
    assert last.reason and "on-screen text" in last.reason
    # Geo's one outcome of vision, committed with the stage: the same reason, no texts.
    [record] = ready_for(ready_records, ingested.job_id)
    outcome = VisionReady.model_validate_json(record.value or b"")
    assert (outcome.outcome, outcome.reason, outcome.error_code) == (
        last.state,
        last.reason,
        last.error_code,
    )
    assert (outcome.texts, outcome.engine) == ([], None)


async def test_an_unreachable_youtube_is_retried_then_dead_lettered(
    kafka_bootstrap: str, ingested_topic: Topic, engine: DetectorTesseractEngine
) -> None:
    refused = closed_port()
    settings = handler_settings(kafka_bootstrap, f"http://127.0.0.1:{refused}")
    worker = vision_worker(settings, ingested_topic, engine)
    async with (
        TopicReader(kafka_bootstrap, ingested_topic.dlt) as dlt_reader,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stage_reader,
        TopicReader(kafka_bootstrap, VISION_READY.name) as ready_reader,
        running(worker),
    ):
        ingested = await publish_ingested(kafka_bootstrap, ingested_topic, "pindSeoul01")
        dead = await dlt_reader.until(lambda seen: len(seen) >= 1)
        stage_records = await stage_reader.until(stage_ended(ingested.job_id, "vision"))
        ready_records = await ready_reader.until(
            lambda seen: bool(ready_for(seen, ingested.job_id))
        )

    assert dead[0].headers["pind_dlt_error_type"] == b"MediaUnreachable"
    assert dead[0].headers["pind_dlt_attempts"] == b"2"
    stages = stage_reports(stage_records, ingested.job_id, "vision")
    assert [s.state for s in stages] == ["started", "started", "failed"]
    assert stages[-1].retryable is True
    # Giving up also published the failed outcome, in the failed stage's transaction.
    [record] = ready_for(ready_records, ingested.job_id)
    outcome = VisionReady.model_validate_json(record.value or b"")
    assert (outcome.outcome, outcome.reason, outcome.error_code) == (
        "failed",
        stages[-1].reason,
        "unavailable",
    )
