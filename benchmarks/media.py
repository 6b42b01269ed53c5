"""How fast and how big ingest, transcript and vision are on this machine.

    uv run python -m benchmarks.media                       # every sample clip
    uv run python -m benchmarks.media --clips pindSpeak01   # some
    uv run python -m benchmarks.media --no-speech           # skip Whisper

The fake YouTube runs in this process; each workload runs in its own Python
process (as a service would), against the sample vlogs in samples/vlogs/,
through the services' real adapters (yt-dlp, youtube-transcript-api,
faster-whisper). Peak memory is that process's maximum resident set size
(``getrusage``), imports and model included.

Vision hook: when ``benchmarks.vision`` defines
``measure_clip(video_id: str, youtube_url: str) -> Mapping[str, float]`` with
the keys of :data:`VISION_KEYS`, it is called once per clip in the vision
process; until then the report says "vision: not measured".
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from benchmarks.report import Report, word_error_rate
from pind_fakes.settings import FakesSettings

DUMMY_DB = "postgresql+asyncpg://bench@127.0.0.1:1/unused"  # no workload touches it
VISION_KEYS = ("seconds", "video_minutes", "frames_ocred", "cer_ko", "cer_en")

Clip = dict[str, Any]  # the sample's info.json, plus "gold" (gold.json)
Workload = Callable[[list[Clip], str], Coroutine[Any, Any, dict[str, Any]]]


def load_clips(names: Sequence[str] | None) -> list[Clip]:
    clips = []
    for directory in sorted(FakesSettings().samples_dir.iterdir()):
        info_file = directory / "info.json"
        if not info_file.is_file() or (names and directory.name not in names):
            continue
        clip: Clip = json.loads(info_file.read_text(encoding="utf-8"))
        gold_file = directory / "gold.json"
        clip["gold"] = json.loads(gold_file.read_text("utf-8")) if gold_file.is_file() else {}
        clips.append(clip)
    return clips


# ----------------------------------------------------------------- workloads


async def ingest_workload(clips: list[Clip], youtube_url: str) -> dict[str, Any]:
    from pind_contracts import VideoRequested
    from pind_ingest.adapters.youtube import YoutubeMetadataReader
    from pind_ingest.app import build_worker  # noqa: F401  the service's imports, for memory
    from pind_ingest.service import IngestService
    from pind_ingest.settings import IngestSettings

    settings = IngestSettings(database_url=DUMMY_DB, youtube_recorded_url=youtube_url)
    service = IngestService(YoutubeMetadataReader(settings), settings.max_duration_s)
    seconds = {}
    for clip in clips:
        request = VideoRequested(
            job_id=uuid.uuid4(),
            video_id=clip["id"],
            url=f"https://www.youtube.com/watch?v={clip['id']}",
            requested_at=datetime.now(UTC),
        )
        started = time.perf_counter()
        await service.ingest(request)
        seconds[clip["id"]] = time.perf_counter() - started
    return {"seconds": seconds}


def _transcript_settings(youtube_url: str, **overrides: Any) -> Any:
    from pind_transcript.settings import TranscriptSettings

    return TranscriptSettings(
        database_url=DUMMY_DB,
        youtube_base_url=youtube_url,
        youtube_recorded_url=youtube_url,
        **overrides,
    )


async def transcript_workload(clips: list[Clip], youtube_url: str) -> dict[str, Any]:
    from pind_transcript.adapters.captions import CaptionsClient
    from pind_transcript.adapters.subtitles import SubtitleDownloader
    from pind_transcript.app import build_worker  # noqa: F401  the service's imports
    from pind_transcript.domain.transcript import NO_CONTEXT
    from pind_transcript.service import TranscriptStep

    settings = _transcript_settings(youtube_url, speech_enabled=False)
    steps: list[TranscriptStep] = [CaptionsClient(settings), SubtitleDownloader(settings)]
    results: dict[str, Any] = {}
    for clip in clips:
        for step in steps:
            started = time.perf_counter()
            transcript = await step.transcribe(clip["id"], ["ko", "en"], NO_CONTEXT)
            results[f"{clip['id']}/{step.name}"] = {
                "seconds": time.perf_counter() - started,
                "source": transcript.source if transcript else None,
                "segments": len(transcript.segments) if transcript else 0,
            }
    return {"steps": results}


async def speech_workload(clips: list[Clip], youtube_url: str) -> dict[str, Any]:
    from pind_transcript.adapters.speech_to_text import SpeechToText
    from pind_transcript.adapters.whisper import WhisperRecogniser
    from pind_transcript.domain.transcript import StepContext

    settings = _transcript_settings(youtube_url)
    recogniser = WhisperRecogniser(settings)
    started = time.perf_counter()
    await asyncio.to_thread(recogniser.load)
    load_s = time.perf_counter() - started
    step = SpeechToText(settings, recogniser)
    results: dict[str, Any] = {}
    for clip in clips:
        context = StepContext(spoken_language=clip.get("language"), duration_s=clip["duration"])
        started = time.perf_counter()
        transcript = await step.transcribe(clip["id"], ["ko", "en"], context)
        said = " ".join(line["text"] for line in clip["gold"].get("speech", []))
        heard = " ".join(s.text for s in transcript.segments) if transcript else ""
        results[clip["id"]] = {
            "seconds": time.perf_counter() - started,
            "audio_s": clip["duration"],
            "segments": len(transcript.segments) if transcript else 0,
            "wer": word_error_rate(said, heard) if said else None,
        }
    return {"model_load_s": load_s, "threads": settings.speech_cpu_threads, "clips": results}


async def vision_workload(clips: list[Clip], youtube_url: str) -> dict[str, Any]:
    try:
        bench = importlib.import_module("benchmarks.vision")
    except ModuleNotFoundError as exc:
        return {"missing": f"{exc.name} is not there"}
    measure = getattr(bench, "measure_clip", None)
    if measure is None:
        return {"missing": "benchmarks.vision has no measure_clip(video_id, youtube_url)"}
    results = {}
    for clip in clips:
        figures = measure(clip["id"], youtube_url)
        results[clip["id"]] = {key: figures.get(key) for key in VISION_KEYS}
    return {"clips": results}


WORKLOADS: dict[str, Workload] = {
    "ingest": ingest_workload,
    "transcript": transcript_workload,
    "speech": speech_workload,
    "vision": vision_workload,
}


def run_workload(name: str, clip_ids: list[str], youtube_url: str, result_file: Path) -> None:
    """In the child process: run one workload, write its figures and peak memory."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.basicConfig(level=logging.WARNING)
    figures = asyncio.run(WORKLOADS[name](load_clips(clip_ids), youtube_url))
    # Linux reports ru_maxrss in KiB.
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result_file.write_text(json.dumps(figures), encoding="utf-8")


def spawn(name: str, clip_ids: list[str], youtube_url: str) -> dict[str, Any]:
    """Run workload ``name`` in a fresh Python process and read its figures."""
    with tempfile.TemporaryDirectory(prefix="pind-bench-") as tmp:
        result = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "benchmarks.media", "--workload", name]
        command += ["--youtube", youtube_url, "--result", str(result), "--clips", *clip_ids]
        completed = subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
        if completed.returncode != 0 or not result.is_file():
            return {"failed": f"exit status {completed.returncode}"}
        figures: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
        return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", nargs="*", help="sample video ids (default: all)")
    parser.add_argument("--no-speech", action="store_true", help="skip speech-to-text")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), help=argparse.SUPPRESS)
    parser.add_argument("--youtube", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    clips = load_clips(args.clips)
    if args.workload:
        run_workload(args.workload, [c["id"] for c in clips], args.youtube, args.result)
        return 0
    if not clips:
        sys.stderr.write("no sample clips found under samples/vlogs/\n")
        return 1

    from pind_fakes.serving import serve_in_thread
    from pind_fakes.youtube import create_app

    report = Report(sys.stdout, clips)
    ids = [c["id"] for c in clips]
    with serve_in_thread(create_app(FakesSettings())) as youtube_url:
        report.ingest(spawn("ingest", ids, youtube_url))
        report.transcript(spawn("transcript", ids, youtube_url))
        if args.no_speech:
            report.line("speech: skipped (--no-speech)")
        else:
            report.speech(spawn("speech", ids, youtube_url))
        report.vision(spawn("vision", ids, youtube_url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
