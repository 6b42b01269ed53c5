"""Gathering with the real broker and database: all inputs → one
places.extracted; a failed or skipped outcome settles its input; the deadline
sweeper; duplicates change nothing; geo reads no stage events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select

from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    TRANSCRIPT_READY,
    VIDEO_INGESTED,
    VISION_READY,
    Contract,
    Envelope,
    JobStage,
    PlacesExtracted,
    Topic,
)
from pind_contracts.events.transcript_ready import TranscriptReady, TranscriptSegment
from pind_contracts.events.video_ingested import VideoIngested, VideoMetadata
from pind_contracts.events.vision_ready import ScreenText, VisionReady
from pind_geo.__main__ import MIGRATIONS_DIR
from pind_geo.app import build_worker
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.models import analyses
from pind_geo.service import GeoService
from pind_geo.settings import GeoSettings
from pind_geo.subscribers import InputTopics, register
from pind_kit.consume import Worker
from pind_kit.db import PROCESSED_EVENTS
from pind_kit.migrations import upgrade
from pind_kit.testing import (
    KafkaRecord,
    TopicReader,
    create_topics,
    database_url,
    publish_raw,
    running,
    unique_topic,
)


def settings(kafka_bootstrap: str, deadline_s: float = 600.0) -> GeoSettings:
    return GeoSettings(
        database_url=database_url("geo"),
        kafka_bootstrap=kafka_bootstrap,
        gather_deadline_s=deadline_s,
        sweep_interval_s=0.2,
        relay_poll_interval_s=0.05,
        retry_attempts=2,
        retry_backoff_initial_s=0.05,
    )


@pytest.fixture(scope="module")
async def migrated(kafka_bootstrap: str) -> None:
    await asyncio.to_thread(upgrade, settings(kafka_bootstrap), MIGRATIONS_DIR)


@pytest.fixture
async def topics(kafka_bootstrap: str, migrated: None) -> InputTopics:
    """Fresh stand-ins for the input topics, so no other consumer sees our events."""
    fresh = InputTopics(
        *(
            Topic(unique_topic(f"geo-{t.payload.__name__}"), t.payload, 1, t.key, t.description)
            for t in (VIDEO_INGESTED, TRANSCRIPT_READY, VISION_READY)
        )
    )
    names = [t.name for t in (fresh.ingested, fresh.transcript, fresh.vision)]
    await create_topics(kafka_bootstrap, names + [n + ".dlt" for n in names])
    return fresh


@pytest.fixture
def deadline_s() -> float:
    return 600.0


@pytest.fixture
async def worker(
    kafka_bootstrap: str, topics: InputTopics, place_extractor: PlaceExtractor, deadline_s: float
) -> AsyncIterator[Worker]:
    geo = build_worker(
        settings(kafka_bootstrap, deadline_s=deadline_s),
        extractor=place_extractor,
        topics=topics,
        group=f"pind-geo-test-{uuid.uuid4().hex[:8]}",
    )
    async with running(geo):
        yield geo


class Job:
    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.job_id = uuid.uuid4()
        self.video_id = "t" + uuid.uuid4().hex[:10]

    def envelope(self, topic: Topic) -> Envelope:
        return Envelope(
            type=topic.event_type,
            producer="test",
            subject=self.video_id,
            job_id=self.job_id,
            correlation_id=f"test-{self.job_id}",
        )

    async def publish(
        self, topic: Topic, payload: Contract, envelope: Envelope | None = None
    ) -> Envelope:
        envelope = envelope or self.envelope(topic)
        await publish_raw(
            self.bootstrap,
            topic.name,
            payload.model_dump_json().encode(),
            envelope.to_headers(),
            key=self.video_id.encode(),
        )
        return envelope

    def ingested(self) -> VideoIngested:
        return VideoIngested(
            job_id=self.job_id,
            video_id=self.video_id,
            metadata=VideoMetadata(
                title="서울 전통시장 먹방 🍜 광장시장 빈대떡부터 통인시장까지",
                description="00:07 광장시장\n00:22 통인시장\n#서울여행 #광장시장",
                tags=["광장시장", "먹방"],
                webpage_url=f"https://www.youtube.com/watch?v={self.video_id}",
            ),
        )

    def transcript(self) -> TranscriptReady:
        return TranscriptReady(
            job_id=self.job_id,
            video_id=self.video_id,
            language="ko",
            source="manual",
            segments=[
                TranscriptSegment(start_s=7.5, duration_s=3.0, text="여기가 바로 광장시장이에요."),
                TranscriptSegment(start_s=22.5, duration_s=3.5, text="이번에는 통인시장에 왔어요."),
            ],
        )

    def vision(self) -> VisionReady:
        return VisionReady(
            job_id=self.job_id,
            video_id=self.video_id,
            frames_sampled=12,
            engine="tesseract",
            texts=[
                ScreenText(text="광 장 시 장", first_seen_s=7.0, confidence=0.8),
                ScreenText(text="Tongin Market", first_seen_s=22.0, confidence=0.9, lang="en"),
            ],
        )

    def of_job(self, records: list[KafkaRecord]) -> list[dict[str, Any]]:
        return [
            PlacesExtracted.model_validate_json(r.value or b"").model_dump()
            for r in records
            if r.key == self.video_id.encode()
        ]

    def stages(self, records: list[KafkaRecord]) -> list[JobStage]:
        found = [
            JobStage.model_validate_json(r.value or b"")
            for r in records
            if r.key == self.video_id.encode()
        ]
        return [s for s in found if s.stage == "geo"]


def has(job: Job, count: int = 1) -> Callable[[list[KafkaRecord]], bool]:
    return lambda records: len(job.of_job(records)) >= count


async def analysis_row(worker: Worker, job: Job) -> Any:
    async with worker.sessionmaker() as session:
        return (
            await session.execute(select(analyses).where(analyses.c.job_id == job.job_id))
        ).first()


async def processed(worker: Worker, event_id: uuid.UUID) -> None:
    async with asyncio.timeout(20):
        while True:
            async with worker.sessionmaker() as session:
                found = await session.execute(
                    select(PROCESSED_EVENTS.c.event_id).where(
                        PROCESSED_EVENTS.c.event_id == event_id
                    )
                )
                if found.first():
                    return
            await asyncio.sleep(0.1)


async def test_all_inputs_give_one_extraction_and_duplicates_change_nothing(
    kafka_bootstrap: str, topics: InputTopics, worker: Worker
) -> None:
    job = Job(kafka_bootstrap)
    async with (
        TopicReader(kafka_bootstrap, PLACES_EXTRACTED.name) as places,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stages,
    ):
        first = await job.publish(topics.ingested, job.ingested())
        transcript = await job.publish(topics.transcript, job.transcript())
        await job.publish(topics.vision, job.vision())
        (result,) = job.of_job(await places.until(has(job)))
        assert result["inputs_used"] == ["metadata", "transcript", "vision"]
        by_name = {p["name"]: p for p in result["places"]}
        assert set(by_name) == {"광장시장", "통인시장"}
        assert {e["source"] for e in by_name["광장시장"]["evidence"]} >= {
            "title",
            "transcript",
            "ocr",
        }
        seen = await stages.until(lambda r: any(s.state == "succeeded" for s in job.stages(r)))
        assert next(s.state for s in job.stages(seen)) == "started"

        # Redelivered events, and a vision result re-sent under a new event id.
        await job.publish(topics.ingested, job.ingested(), first)
        await job.publish(topics.transcript, job.transcript(), transcript)
        late = await job.publish(topics.vision, job.vision())
        await processed(worker, late.event_id)
        assert job.of_job(await places.drain(quiet_s=2.0)) == []
    row = await analysis_row(worker, job)
    assert (row.state, row.trigger) == ("extracted", "complete")


async def test_failed_transcript_extracts_from_metadata_and_vision(
    kafka_bootstrap: str, topics: InputTopics, worker: Worker
) -> None:
    job = Job(kafka_bootstrap)
    async with (
        TopicReader(kafka_bootstrap, PLACES_EXTRACTED.name) as places,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stages,
    ):
        await job.publish(topics.ingested, job.ingested())
        await job.publish(
            topics.transcript,
            TranscriptReady(
                job_id=job.job_id,
                video_id=job.video_id,
                outcome="failed",
                reason="transcript failed after 3 attempt(s): YouTube could not be reached",
                error_code="unavailable",
            ),
        )
        await job.publish(topics.vision, job.vision())
        (result,) = job.of_job(await places.until(has(job)))
        assert result["inputs_used"] == ["metadata", "vision"]
        assert {p["name"] for p in result["places"]} == {"광장시장", "통인시장"}
        seen = await stages.until(lambda r: any(s.state == "succeeded" for s in job.stages(r)))
        (done,) = [s for s in job.stages(seen) if s.state == "succeeded"]
        assert done.reason and "transcript failed: transcript failed after 3" in done.reason
    assert (await analysis_row(worker, job)).trigger == "stage_ended"


async def test_skipped_vision_extracts_from_metadata_and_transcript(
    kafka_bootstrap: str, topics: InputTopics, worker: Worker
) -> None:
    job = Job(kafka_bootstrap)
    async with (
        TopicReader(kafka_bootstrap, PLACES_EXTRACTED.name) as places,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stages,
    ):
        await job.publish(
            topics.vision,
            VisionReady(
                job_id=job.job_id,
                video_id=job.video_id,
                outcome="skipped",
                reason="the video is too large to read its on-screen text",
                error_code="too_large",
            ),
        )
        await job.publish(topics.ingested, job.ingested())
        await job.publish(topics.transcript, job.transcript())
        (result,) = job.of_job(await places.until(has(job)))
        assert result["inputs_used"] == ["metadata", "transcript"]
        seen = await stages.until(lambda r: any(s.state == "succeeded" for s in job.stages(r)))
        (done,) = [s for s in job.stages(seen) if s.state == "succeeded"]
        assert done.reason and "vision skipped: the video is too large" in done.reason
    assert (await analysis_row(worker, job)).trigger == "stage_ended"


def test_geo_reads_outcomes_not_the_stage_stream(
    kafka_bootstrap: str, place_extractor: PlaceExtractor
) -> None:
    geo = Worker(settings(kafka_bootstrap))
    register(geo, GeoService(place_extractor, producer="geo"))
    read = {s.topic.name for s in geo.subscriptions}
    assert read == {VIDEO_INGESTED.name, TRANSCRIPT_READY.name, VISION_READY.name}


@pytest.mark.parametrize("deadline_s", [1.5])
async def test_deadline_extracts_what_arrived(
    kafka_bootstrap: str, topics: InputTopics, worker: Worker
) -> None:
    job = Job(kafka_bootstrap)
    async with TopicReader(kafka_bootstrap, PLACES_EXTRACTED.name) as places:
        await job.publish(topics.ingested, job.ingested())
        (result,) = job.of_job(await places.until(has(job), within_s=30))
        assert result["inputs_used"] == ["metadata"]
        assert {p["name"] for p in result["places"]} == {"광장시장", "통인시장"}
        # The transcript arriving after the deadline is recorded as processed, not re-extracted.
        late = await job.publish(topics.transcript, job.transcript())
        await processed(worker, late.event_id)
        assert job.of_job(await places.drain(quiet_s=1.5)) == []
    assert (await analysis_row(worker, job)).trigger == "deadline"
