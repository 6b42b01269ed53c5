"""``pind analyse`` against a real gateway: a job followed live to its end,
the answer from an earlier analysis, exports, failures and exit codes."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from pind_contracts import JOB_STAGE

SHOWN = {"started": "running", "progress": "running"}


async def analyse_live(
    pind: Any,
    workers: Any,
    helpers: Any,
    kafka_bootstrap: str,
    events: Any,
    *argv: str,
    cut_short: bool = False,
) -> Any:
    """Run ``pind analyse`` on a new video and play the workers' events as
    they come in a real analysis: the stage reports first (awaited until the
    gateway shows the last of them: one partition, so all of them), then the
    places and what follows them. With ``cut_short``, nothing is played until
    the gateway has closed a stream of the job opened after the command's (so
    the command's was closed first). Returns the command's result and the video."""
    video_id = helpers.video_id()
    async with helpers.requests_reader(kafka_bootstrap) as requests:
        running = pind.start("analyse", f"https://youtu.be/{video_id}", *argv)
        analysis_id = await workers.requested_job(requests, video_id)
    job_id = await asyncio.wait_for(running.stderr.job_id, timeout=30)
    if cut_short:
        await workers.stream_closed_by_server(pind.api_url, job_id)
    played = events(analysis_id, video_id)
    split = next((i for i, (_, e) in enumerate(played) if not hasattr(e, "stage")), len(played))
    reports, rest = played[:split], played[split:]
    await workers.send(analysis_id, video_id, reports)
    last = reports[-1][1]
    shown = SHOWN.get(last.state, last.state)
    await workers.until_job(
        pind.api_url, job_id, lambda job: job["stages"][last.stage]["state"] == shown
    )
    await workers.send(analysis_id, video_id, rest)
    return await asyncio.wait_for(running.task, timeout=60), video_id


async def test_follows_a_job_to_success_and_prints_places_in_video_order(
    pind: Any, workers: Any, helpers: Any, kafka_bootstrap: str
) -> None:
    result, _ = await analyse_live(pind, workers, helpers, kafka_bootstrap, helpers.success)

    assert result.code == 0, result.stderr
    # Progress: one line per stage change when the output is not a terminal
    # (rapid changes may be coalesced by the stream; the job ends with the places).
    for line in ("ingest: succeeded 100%", "transcript: succeeded 100%", "geo: running"):
        assert line in result.stderr
    # The places table, in the order the video reaches them (1:23 before 5:01).
    assert "광장시장" in result.stdout and "경복궁" in result.stdout
    assert result.stdout.index("광장시장") < result.stdout.index("경복궁")
    assert "1:23" in result.stdout and "5:01" in result.stdout
    assert "2 place(s) on the map" in result.stdout


async def test_a_known_video_is_answered_at_once_as_json_and_exports(
    pind: Any, workers: Any, helpers: Any, kafka_bootstrap: str, tmp_path: Path
) -> None:
    first, video_id = await analyse_live(pind, workers, helpers, kafka_bootstrap, helpers.success)
    assert first.code == 0, first.stderr
    url = f"https://www.youtube.com/watch?v={video_id}"

    answer = await pind("analyse", url, "--json", "--quiet")
    assert answer.code == 0, answer.stderr
    assert answer.stderr == ""  # --quiet: nothing but errors on standard error
    job = json.loads(answer.stdout)
    assert job["state"] == "succeeded" and job["answered_from"] == "cached"
    assert {p["name"] for p in job["places"]} == {"광장시장", "경복궁"}

    target = tmp_path / "places.geojson"
    exported = await pind("analyse", url, "--geojson", "-o", str(target))
    assert exported.code == 0, exported.stderr
    collection = json.loads(target.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert sorted(f["geometry"]["coordinates"] for f in collection["features"]) == [
        [126.977, 37.5796],
        [126.9996, 37.5701],
    ]

    kml = await pind("analyse", url, "--kml")
    assert kml.code == 0, kml.stderr
    assert "<kml" in kml.stdout and "광장시장" in kml.stdout


async def test_a_stream_the_server_closes_is_followed_again(
    pind: Any, workers: Any, helpers: Any, kafka_bootstrap: str
) -> None:
    result, _ = await analyse_live(
        pind, workers, helpers, kafka_bootstrap, helpers.success, cut_short=True
    )
    assert result.code == 0, result.stderr
    assert "광장시장" in result.stdout and "2 place(s) on the map" in result.stdout


def failed(helpers: Any) -> Any:
    def events(job_id: Any, video_id: str) -> list[Any]:
        return [
            (JOB_STAGE, helpers.stage(job_id, video_id, "ingest", "started")),
            (
                JOB_STAGE,
                helpers.stage(
                    job_id,
                    video_id,
                    "ingest",
                    "failed",
                    reason="this video is private",
                    error_code="private",
                ),
            ),
        ]

    return events


async def test_a_failed_job_exits_3_with_the_reason(
    pind: Any, workers: Any, helpers: Any, kafka_bootstrap: str
) -> None:
    result, _ = await analyse_live(pind, workers, helpers, kafka_bootstrap, failed(helpers))
    assert result.code == 3, result.stderr
    assert "ingest: failed: this video is private" in result.stderr
    assert "ended failed" in result.stderr


async def test_a_partial_job_exits_6_and_still_prints_its_places(
    pind: Any, workers: Any, helpers: Any, kafka_bootstrap: str
) -> None:
    def partial(job_id: Any, video_id: str) -> list[Any]:
        events = helpers.success(job_id, video_id)
        vision_failed = helpers.stage(
            job_id, video_id, "vision", "failed", reason="the stream could not be read"
        )
        return [
            (topic, vision_failed if getattr(payload, "stage", None) == "vision" else payload)
            for topic, payload in events
        ]

    result, _ = await analyse_live(pind, workers, helpers, kafka_bootstrap, partial)
    assert result.code == 6, result.stderr
    assert "광장시장" in result.stdout
    assert "vision: failed: the stream could not be read" in result.stderr


async def test_still_running_after_timeout_exits_8(
    pind: Any, helpers: Any, kafka_bootstrap: str
) -> None:
    video_id = helpers.video_id()  # nobody plays this video's events: it stays queued
    result = await pind("analyse", f"https://youtu.be/{video_id}", "--timeout", "1.5")
    assert result.code == 8, result.stderr
    assert "still running after --timeout" in result.stderr


async def test_a_link_the_api_refuses_is_a_usage_error(pind: Any) -> None:
    result = await pind("analyse", "https://vimeo.com/123456")
    assert result.code == 2
    assert "not a YouTube video link" in result.stderr


async def test_bad_arguments_exit_2(pind: Any) -> None:
    both = await pind("analyse", "https://youtu.be/aaaaaaaaaaa", "--json", "--kml")
    assert both.code == 2 and "not allowed with argument" in both.stderr
    missing = await pind("analyse")
    assert missing.code == 2 and "required: url" in missing.stderr
    bad_api = await pind("history", "--api", "127.0.0.1:8000")
    assert bad_api.code == 2 and "http://" in bad_api.stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


async def test_an_unreachable_api_exits_5(pind: Any) -> None:
    api = f"http://127.0.0.1:{closed_port()}"
    result = await pind("analyse", "https://youtu.be/aaaaaaaaaaa", "--api", api)
    assert result.code == 5
    assert f"cannot reach the pind API at {api}" in result.stderr


def test_the_console_script_runs_as_a_process() -> None:
    """The installed ``pind`` entry point: help, and an exit code from a real process."""
    pind = Path(sys.executable).parent / "pind"
    shown = subprocess.run([pind, "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "exit codes:" in shown.stdout
    api = f"http://127.0.0.1:{closed_port()}"
    down = subprocess.run(
        [pind, "--api", api, "analyse", "https://youtu.be/aaaaaaaaaaa"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert down.returncode == 5, down.stderr
    assert down.stdout == ""
