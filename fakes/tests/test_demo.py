"""The `make demo` client against a stand-in gateway speaking the jobs API."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from pind_fakes import demo
from pind_fakes.serving import serve_in_thread

PLACE = {
    "name": "광장시장",
    "name_en": "Gwangjang Market",
    "category": "market",
    "lat": 37.57011477,
    "lon": 126.9997057,
    "confidence": 0.93,
    "geocoder": "gazetteer",
    "evidence": [
        {"source": "transcript", "text": "여기가 바로 광장시장이에요.", "start_s": 7.5},
        {"source": "ocr", "text": "광장시장", "start_s": 7.0},
    ],
}


def _job(
    state: str,
    stages: dict[str, str],
    places: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    return {
        "job_id": "job-1",
        "video_id": "pindSeoul01",
        "state": state,
        "progress": 50,
        "current_step": "reading",
        "error": error,
        "stages": {
            name: {"state": s, "progress": 100 if s == "succeeded" else 40}
            for name, s in stages.items()
        },
        "video": {"title": "서울 전통시장 먹방 투어"},
        "places": places or [],
        "unresolved": [],
    }


class FakeGateway:
    """Answers POST /api/v1/videos, then the given job snapshots one poll at a time."""

    def __init__(
        self, snapshots: list[dict[str, Any]], submit_status: int = 202, busy_first: int = 0
    ) -> None:
        self.snapshots = snapshots
        self.submit_status = submit_status
        self.busy_first = busy_first
        """How many submissions are answered 429 (Retry-After: 2) first."""
        self.submitted: list[Any] = []
        self.app = web.Application()
        self.app.router.add_post("/api/v1/videos", self.submit)
        self.app.router.add_get("/api/v1/jobs/{job_id}", self.poll)

    async def submit(self, request: web.Request) -> web.Response:
        self.submitted.append(await request.json())
        if len(self.submitted) <= self.busy_first:
            return web.json_response(
                {"detail": "too many submissions", "code": "rate_limited"},
                status=429,
                headers={"Retry-After": "2"},
            )
        if self.submit_status != 202:
            return web.json_response(
                {"detail": "not a YouTube video link", "code": "invalid_url"},
                status=self.submit_status,
            )
        return web.json_response(
            {"job_id": "job-1", "status_url": "/api/v1/jobs/job-1"}, status=202
        )

    async def poll(self, request: web.Request) -> web.Response:
        snapshot = self.snapshots.pop(0) if len(self.snapshots) > 1 else self.snapshots[0]
        return web.json_response(snapshot)


@pytest.fixture
def gateway_factory() -> Iterator[Any]:
    stack: list[Any] = []

    def start(gateway: FakeGateway) -> str:
        context = serve_in_thread(gateway.app)
        stack.append(context)
        return context.__enter__()

    yield start
    for context in stack:
        context.__exit__(None, None, None)


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = demo.run(argv, out=out, err=err, sleep=lambda _: None)
    return code, out.getvalue(), err.getvalue()


async def test_prints_progress_then_the_places_table(gateway_factory: Any) -> None:
    stages_running = {
        "ingest": "succeeded",
        "transcript": "running",
        "vision": "pending",
        "geo": "pending",
    }
    stages_done = dict.fromkeys(stages_running, "succeeded")
    gateway = FakeGateway(
        [
            _job("queued", dict.fromkeys(stages_running, "pending")),
            _job("running", stages_running),
            _job("running", stages_running),
            _job("succeeded", stages_done, [PLACE]),
        ]
    )
    url = gateway_factory(gateway)
    code, out, err = await asyncio.to_thread(_run, ["--gateway", url, "--poll", "0"])
    assert code == 0, err
    assert gateway.submitted == [  # the default: a food vlog
        {"url": "https://www.youtube.com/watch?v=pindBsnEat1", "refresh": True}
    ]
    progress = [line for line in out.splitlines() if line.startswith("[")]
    assert len(progress) == 3  # the repeated "running" snapshot prints once
    assert "transcript 40%" in progress[1] and "ingest done" in progress[1]
    row = next(line for line in out.splitlines() if line.startswith("1  "))
    assert "광장시장 (Gwangjang Market)" in row and "37.57011" in row and "126.99971" in row
    assert "transcript@8s, ocr@7s" in row
    assert f"Job:  {url}/api/v1/jobs/job-1" in out and f"Map:  {url}/" in out


async def test_failed_job_exits_non_zero_with_the_reason(gateway_factory: Any) -> None:
    failed = _job(
        "failed", {"ingest": "failed", "transcript": "skipped"}, error="the video is private"
    )
    failed["stages"]["ingest"]["reason"] = "Private video"
    url = gateway_factory(FakeGateway([failed]))
    code, out, err = await asyncio.to_thread(_run, ["--gateway", url, "--video", "pindPrivat1"])
    assert code == demo.EXIT_FAILED
    assert "stage ingest: Private video" in out
    assert "the job ended failed: the video is private" in err


async def test_partial_is_success_unless_strict(gateway_factory: Any) -> None:
    partial = _job("partial", {"ingest": "succeeded", "vision": "failed"}, [PLACE])
    url = gateway_factory(FakeGateway([partial]))
    assert (await asyncio.to_thread(_run, ["--gateway", url]))[0] == 0
    assert (await asyncio.to_thread(_run, ["--gateway", url, "--strict"]))[0] == demo.EXIT_FAILED


async def test_timeout_and_refusal_and_unreachable(gateway_factory: Any) -> None:
    url = gateway_factory(FakeGateway([_job("running", {"ingest": "running"})]))
    code, _, err = await asyncio.to_thread(_run, ["--gateway", url, "--timeout", "-1"])
    assert code == demo.EXIT_TIMEOUT and "still running" in err

    refusing = gateway_factory(FakeGateway([_job("queued", {})], submit_status=422))
    code, _, err = await asyncio.to_thread(_run, ["--gateway", refusing])
    assert code == demo.EXIT_UNREACHABLE and "HTTP 422: not a YouTube video link" in err

    with serve_in_thread(web.Application()) as closed:
        pass  # the port is free again once the server stopped
    code, _, err = await asyncio.to_thread(_run, ["--gateway", closed])
    assert code == demo.EXIT_UNREACHABLE and "cannot reach the gateway" in err


def test_table_pads_wide_characters() -> None:
    table = demo.places_table([PLACE, {**PLACE, "name": "N서울타워", "name_en": None}])
    lines = table.splitlines()
    category_columns = {demo.display_width(line[: line.index("market")]) for line in lines[2:]}
    assert len(category_columns) == 1


async def test_a_short_rate_limit_is_waited_out(gateway_factory: Any) -> None:
    """A benchmark or another client on this address used the guest budget:
    the demo waits what Retry-After says, then submits again."""
    done = dict.fromkeys(("ingest", "transcript", "vision", "geo"), "succeeded")
    gateway = FakeGateway([_job("succeeded", done, [PLACE])], busy_first=2)
    url = gateway_factory(gateway)
    slept: list[float] = []
    out, err = io.StringIO(), io.StringIO()
    code = await asyncio.to_thread(
        demo.run, ["--gateway", url, "--poll", "0"], out=out, err=err, sleep=slept.append
    )
    assert code == 0, err.getvalue()
    assert len(gateway.submitted) == 3
    assert slept[:2] == [2.0, 2.0]
    assert "asks to wait 2 s" in err.getvalue()
