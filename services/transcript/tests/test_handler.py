"""The transcript handler with the real broker, the real database and the fake YouTube."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from pind_contracts import (
    JOB_STAGE,
    TRANSCRIPT_READY,
    JobStage,
    Topic,
    TranscriptReady,
    VideoIngested,
    VideoMetadata,
)
from pind_fakes.settings import FakesSettings
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
from pind_transcript.__main__ import MIGRATIONS_DIR
from pind_transcript.adapters.whisper import WhisperRecogniser
from pind_transcript.app import default_steps
from pind_transcript.service import NO_TRANSCRIPT_REASON, TranscriptService
from pind_transcript.settings import TranscriptSettings
from pind_transcript.subscribers import register


def transcript_settings(kafka_bootstrap: str, fake_youtube: str) -> TranscriptSettings:
    return TranscriptSettings(
        database_url=database_url("transcript"),
        kafka_bootstrap=kafka_bootstrap,
        youtube_base_url=fake_youtube,
        youtube_recorded_url=fake_youtube,
        transcript_languages=["ko", "en"],
        retry_attempts=2,
        retry_backoff_initial_s=0.05,
        relay_poll_interval_s=0.05,
        # As in test_speech_to_text: where chunks are cut changes what Whisper
        # hears at the edges, and 8 s cuts keep the place name whole.
        speech_chunk_s=8,
    )


@pytest.fixture(scope="module")
async def migrated(kafka_bootstrap: str) -> None:
    await asyncio.to_thread(upgrade, transcript_settings(kafka_bootstrap, ""), MIGRATIONS_DIR)


@pytest.fixture
async def ingested_topic(kafka_bootstrap: str, migrated: None) -> Topic:
    """A fresh stand-in for pind.video.ingested.v1, so no other consumer sees our events."""
    return await stand_in_topic(kafka_bootstrap, "transcript-in", VideoIngested)


@pytest.fixture
def worker(
    kafka_bootstrap: str, fake_youtube: str, ingested_topic: Topic, whisper: WhisperRecogniser
) -> Worker:
    return transcript_worker(
        transcript_settings(kafka_bootstrap, fake_youtube), ingested_topic, whisper
    )


def transcript_worker(
    settings: TranscriptSettings, ingested_topic: Topic, whisper: WhisperRecogniser
) -> Worker:
    worker = Worker(settings)
    steps = default_steps(settings, recogniser=whisper)
    service = TranscriptService(steps, settings.transcript_languages)
    group = f"pind-transcript-test-{uuid.uuid4().hex[:8]}"
    register(worker, service, topic=ingested_topic, group=group)
    return worker


async def publish_ingested(
    bootstrap: str, topic: Topic, video_id: str, language: str | None = None
) -> VideoIngested:
    event = VideoIngested(
        job_id=uuid.uuid4(),
        video_id=video_id,
        metadata=VideoMetadata(
            title=video_id,
            webpage_url=f"https://www.youtube.com/watch?v={video_id}",
            language=language,
        ),
    )
    await publish_event(bootstrap, topic, event)
    return event


def transcripts_of(records: list[KafkaRecord], job_id: uuid.UUID) -> list[TranscriptReady]:
    ready = [TranscriptReady.model_validate_json(r.value or b"") for r in records]
    return [t for t in ready if t.job_id == job_id]


async def run_one(
    kafka_bootstrap: str, worker: Worker, topic: Topic, video_id: str, language: str | None = None
) -> tuple[list[JobStage], list[TranscriptReady]]:
    async with (
        TopicReader(kafka_bootstrap, TRANSCRIPT_READY.name) as ready_reader,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stage_reader,
        running(worker),
    ):
        event = await publish_ingested(kafka_bootstrap, topic, video_id, language)
        # Speech-to-text on a shared 2-core machine takes a while.
        stage_records = await stage_reader.until(stage_ended(event.job_id), 300)
        # One transaction, relayed in order: once the stage has ended, a
        # transcript of this job would already be out.
        ready_records = await ready_reader.drain(quiet_s=1.0)
    return stage_reports(stage_records, event.job_id), transcripts_of(ready_records, event.job_id)


async def test_korean_captions_become_a_transcript(
    kafka_bootstrap: str, worker: Worker, ingested_topic: Topic
) -> None:
    stages, transcripts = await run_one(kafka_bootstrap, worker, ingested_topic, "pindSeoul01")

    assert [(s.stage, s.state) for s in stages] == [
        ("transcript", "started"),
        ("transcript", "succeeded"),
    ]
    (transcript,) = transcripts
    assert (transcript.source, transcript.language) == ("manual", "ko")
    captions = json.loads(
        (FakesSettings().samples_dir / "pindSeoul01" / "captions.json").read_text("utf-8")
    )
    manual_ko = next(t for t in captions["tracks"] if (t["lang"], t["kind"]) == ("ko", "manual"))
    assert [(s.start_s, s.duration_s, s.text) for s in transcript.segments] == [
        (s["start"], s["dur"], s["text"]) for s in manual_ko["segments"]
    ]


async def test_blocked_captions_fall_back_to_subtitle_files(
    kafka_bootstrap: str, worker: Worker, ingested_topic: Topic
) -> None:
    # The captions API demands a PO token here; yt-dlp's subtitle files still work.
    stages, transcripts = await run_one(kafka_bootstrap, worker, ingested_topic, "pindPoToken")

    assert stages[-1].state == "succeeded"
    (transcript,) = transcripts
    assert (transcript.source, transcript.language) == ("subtitles", "ko")
    assert "광장시장" in " ".join(s.text for s in transcript.segments)


async def test_a_video_without_captions_is_transcribed_from_its_speech(
    kafka_bootstrap: str, worker: Worker, ingested_topic: Topic
) -> None:
    stages, transcripts = await run_one(
        kafka_bootstrap, worker, ingested_topic, "pindSpeak01", language="en"
    )

    # Several relays may share the outbox, so stage events are compared as a set.
    assert {"started", "succeeded"} <= {s.state for s in stages}
    progress = sorted(s.progress for s in stages if s.state == "progress")
    # 24 s of audio in chunks of at most 8 s; the last chunk reaches the end.
    assert len(progress) >= 3 and 0 < progress[0] < 0.5 and progress[-1] == 1.0
    (transcript,) = transcripts
    assert (transcript.source, transcript.language) == ("speech", "en")
    heard = " ".join(s.text for s in transcript.segments).lower().replace(" ", "")
    assert "gwangjang" in heard and "pancake" in heard


async def test_a_video_without_captions_or_speech_is_skipped_with_a_reason(
    kafka_bootstrap: str, worker: Worker, ingested_topic: Topic
) -> None:
    # No captions, and a soundtrack of chords: the voice filter hears nobody.
    stages, transcripts = await run_one(kafka_bootstrap, worker, ingested_topic, "pindBusan03")

    # The terminal event, wherever progress events of other relays landed.
    (skipped,) = [s for s in stages if s.state in ("succeeded", "failed", "skipped")]
    assert (skipped.state, skipped.reason, skipped.error_code) == (
        "skipped",
        NO_TRANSCRIPT_REASON,
        "no_speech",
    )
    # Geo's one outcome of transcript, committed with the stage: why, and no text.
    (outcome,) = transcripts
    assert (outcome.outcome, outcome.reason, outcome.error_code) == (
        "skipped",
        NO_TRANSCRIPT_REASON,
        "no_speech",
    )
    assert (outcome.language, outcome.source, outcome.segments) == (None, None, [])


async def test_an_unreachable_youtube_ends_in_a_failed_outcome(
    kafka_bootstrap: str, ingested_topic: Topic, whisper: WhisperRecogniser
) -> None:
    refused = closed_port()
    settings = transcript_settings(kafka_bootstrap, f"http://127.0.0.1:{refused}")
    worker = transcript_worker(settings, ingested_topic, whisper)
    async with (
        TopicReader(kafka_bootstrap, TRANSCRIPT_READY.name) as ready_reader,
        TopicReader(kafka_bootstrap, JOB_STAGE.name) as stage_reader,
        running(worker),
    ):
        event = await publish_ingested(kafka_bootstrap, ingested_topic, "pindSeoul01")
        stage_records = await stage_reader.until(stage_ended(event.job_id))
        ready_records = await ready_reader.until(
            lambda seen: bool(transcripts_of(seen, event.job_id))
        )
        ready_records += await ready_reader.drain(quiet_s=1.0)

    # Every source failed transiently; the kit retried, then gave up.
    (failed,) = [s for s in stage_reports(stage_records, event.job_id) if s.state == "failed"]
    assert (failed.error_code, failed.retryable) == ("unavailable", True)
    (outcome,) = transcripts_of(ready_records, event.job_id)
    assert (outcome.outcome, outcome.reason, outcome.error_code) == (
        "failed",
        failed.reason,
        "unavailable",
    )
    assert (outcome.language, outcome.source, outcome.segments) == (None, None, [])
