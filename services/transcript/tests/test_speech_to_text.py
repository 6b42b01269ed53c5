"""Speech-to-text against the fake YouTube: real yt-dlp download, real PyAV
decoding, real faster-whisper with the bundled Whisper base model."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from prometheus_client import REGISTRY

from pind_contracts import VideoIngested, VideoMetadata
from pind_fakes.serving import requests_seen
from pind_fakes.settings import FakesSettings
from pind_transcript.adapters.speech_to_text import SpeechToText
from pind_transcript.adapters.whisper import WhisperRecogniser
from pind_transcript.app import default_steps
from pind_transcript.domain.transcript import YoutubeRefused
from pind_transcript.service import TranscriptService
from pind_transcript.settings import TranscriptSettings

SPOKEN = "pindSpeak01"  # English narration, no captions, no subtitle tracks


def settings(fake_youtube: str, work_dir: Path, **overrides: Any) -> TranscriptSettings:
    return TranscriptSettings(
        database_url="postgresql+asyncpg://unused@127.0.0.1:1/unused",
        youtube_base_url=fake_youtube,
        youtube_recorded_url=fake_youtube,
        speech_work_dir=work_dir,
        **overrides,
    )


def spoken_gold(video_id: str) -> list[dict[str, Any]]:
    gold = FakesSettings().samples_dir / video_id / "gold.json"
    return list(json.loads(gold.read_text(encoding="utf-8"))["speech"])


def loosely(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def ingested(video_id: str, language: str | None, duration_s: float | None) -> VideoIngested:
    return VideoIngested(
        job_id=uuid.uuid4(),
        video_id=video_id,
        metadata=VideoMetadata(
            title=video_id,
            webpage_url=f"https://www.youtube.com/watch?v={video_id}",
            language=language,
            duration_s=duration_s,
        ),
    )


async def test_without_captions_or_subtitles_the_speech_is_transcribed(
    fake_youtube: str,
    fake_youtube_app: web.Application,
    whisper: WhisperRecogniser,
    tmp_path: Path,
) -> None:
    config = settings(fake_youtube, tmp_path / "work", speech_chunk_s=8)
    service = TranscriptService(default_steps(config, recogniser=whisper), ["ko", "en"])
    progress: list[float] = []

    async def report(fraction: float) -> None:
        progress.append(fraction)

    before = len(requests_seen(fake_youtube_app))
    heard_before = REGISTRY.get_sample_value("pind_speech_audio_seconds_total") or 0.0
    chunks_before = REGISTRY.get_sample_value("pind_speech_chunks_total") or 0.0
    transcript = await service.transcribe(ingested(SPOKEN, "en", 24.0), report)

    assert transcript is not None
    assert (transcript.source, transcript.language) == ("speech", "en")
    heard = loosely(" ".join(s.text for s in transcript.segments))
    assert "gwangjangmarket" in heard  # the place name, as said
    assert "pancake" in heard
    # "At 8 s she says 'This is Gwangjang Market'": times are in the whole video.
    said = next(g for g in spoken_gold(SPOKEN) if "Gwangjang" in g["text"])
    where = next(s for s in transcript.segments if "gwangjang" in loosely(s.text))
    assert abs(where.start_s - said["start_s"]) < 1.5
    assert all(s.start_s >= 0 and s.start_s + s.duration_s <= 24.5 for s in transcript.segments)
    # Chunks of at most 8 s, each reported; the last one completes the stage.
    assert len(progress) >= 3 and progress == sorted(progress) and progress[-1] == 1.0
    # transcript's /metrics: the whole 24 s of audio listened to, in those chunks.
    heard_s = (REGISTRY.get_sample_value("pind_speech_audio_seconds_total") or 0.0) - heard_before
    assert heard_s == pytest.approx(24.0, abs=0.5)
    chunks = (REGISTRY.get_sample_value("pind_speech_chunks_total") or 0.0) - chunks_before
    assert chunks == len(progress)
    # The fallback order: captions API, then yt-dlp's subtitles, then the audio (140).
    paths = [r.path_qs for r in requests_seen(fake_youtube_app)[before:]]
    first = {
        step: next(i for i, p in enumerate(paths) if p.startswith(prefix))
        for step, prefix in (
            ("captions", f"/watch?v={SPOKEN}"),
            ("subtitles", f"/recorded/{SPOKEN}"),
            ("speech", f"/videoplayback?id={SPOKEN}&itag=140"),
        )
    }
    assert first["captions"] < first["subtitles"] < first["speech"]
    assert not any("itag=18" in p or "itag=134" in p for p in paths)  # audio only
    assert list((tmp_path / "work").iterdir()) == []  # the audio is gone


async def test_speech_is_not_reached_when_captions_exist(
    fake_youtube: str, fake_youtube_app: web.Application, tmp_path: Path
) -> None:
    config = settings(fake_youtube, tmp_path / "work")
    service = TranscriptService(default_steps(config), ["ko", "en"])
    before = len(requests_seen(fake_youtube_app))

    transcript = await service.transcribe(ingested("pindSeoul01", "ko", 40.0))

    assert transcript is not None and transcript.source == "manual"
    assert not any(
        r.path_qs.startswith("/videoplayback") for r in requests_seen(fake_youtube_app)[before:]
    )


async def test_music_without_speech_gives_no_transcript(
    fake_youtube: str, whisper: WhisperRecogniser, tmp_path: Path
) -> None:
    # pindBusan03's soundtrack is chords only: the voice filter hears nobody.
    step = SpeechToText(settings(fake_youtube, tmp_path / "work"), whisper)
    assert await step.transcribe("pindBusan03", ["ko"]) is None
    assert list((tmp_path / "work").iterdir()) == []


async def test_audio_over_the_size_cap_is_not_downloaded(
    fake_youtube: str, fake_youtube_app: web.Application, tmp_path: Path
) -> None:
    step = SpeechToText(settings(fake_youtube, tmp_path / "work", speech_max_audio_mb=0.05))
    before = len(requests_seen(fake_youtube_app))

    assert await step.transcribe(SPOKEN, ["en"]) is None

    fetched = [r.path_qs for r in requests_seen(fake_youtube_app)[before:]]
    assert fetched == [f"/recorded/{SPOKEN}"]
    assert list((tmp_path / "work").iterdir()) == []


async def test_an_unplayable_video_has_no_speech(fake_youtube: str, tmp_path: Path) -> None:
    step = SpeechToText(settings(fake_youtube, tmp_path / "work"))
    assert await step.transcribe("pindPrivat1", ["ko"]) is None


async def test_a_blocked_download_is_retryable(fake_youtube: str, tmp_path: Path) -> None:
    step = SpeechToText(settings(fake_youtube, tmp_path / "work"))
    with pytest.raises(YoutubeRefused):
        await step.transcribe("pindBotChk1", ["ko"])
    assert list((tmp_path / "work").iterdir()) == []


def test_speech_can_be_switched_off(fake_youtube: str, tmp_path: Path) -> None:
    names = [s.name for s in default_steps(settings(fake_youtube, tmp_path))]
    assert names == ["captions", "subtitles", "speech"]
    off = default_steps(settings(fake_youtube, tmp_path, speech_enabled=False))
    assert [s.name for s in off] == ["captions", "subtitles"]
