"""The kit's operational metrics: HTTP by route template, consumer lag read
from the broker, and one /metrics for several processes of a service."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY

from pind_contracts import JobStage
from pind_contracts.envelope import Envelope
from pind_kit.consume import Incoming, UnitOfWork, Worker
from pind_kit.http_metrics import HttpMetricsMiddleware
from pind_kit.settings import ServiceSettings
from pind_kit.testing import publish_raw, running, stand_in_topic

SCHEMA = "kit_metrics_test"


def _count(route: str, method: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        "pind_http_request_seconds_count", {"route": route, "method": method, "status": status}
    )
    return value or 0.0


async def test_http_requests_are_counted_by_route_template_not_raw_path() -> None:
    app = FastAPI()
    app.add_middleware(HttpMetricsMiddleware)

    @app.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    before_ok = _count("/things/{thing_id}", "GET", "200")
    before_bad = _count("/things/{thing_id}", "GET", "422")
    before_none = _count("unmatched", "GET", "404")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for n in range(3):
            assert (await client.get(f"/things/{n}")).status_code == 200
        assert (await client.get("/things/not-a-number")).status_code == 422
        assert (await client.get("/nowhere")).status_code == 404
    assert _count("/things/{thing_id}", "GET", "200") == before_ok + 3
    assert _count("/things/{thing_id}", "GET", "422") == before_bad + 1
    assert _count("unmatched", "GET", "404") == before_none + 1
    assert _count("/things/0", "GET", "200") == 0  # no series per id


def test_one_metrics_page_adds_up_every_process_of_a_service(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    record = (
        "from pind_kit.metrics import HTTP_SECONDS; "
        "HTTP_SECONDS.labels('/api/v1/jobs/{job_id}', 'GET', '200').observe(0.01)"
    )
    for _ in range(2):  # two worker processes, each with its own share
        subprocess.run([sys.executable, "-c", record], env=env, check=True, timeout=60)
    page = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pind_kit.ops import metrics_payload; print(metrics_payload().decode())",
        ],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    line = next(ln for ln in page.splitlines() if ln.startswith("pind_http_request_seconds_count{"))
    assert line.endswith(" 2.0"), line


async def _until_lag(topic: str, group: str, predicate: object, within_s: float = 30) -> float:
    async with asyncio.timeout(within_s):
        while True:
            value = REGISTRY.get_sample_value(
                "pind_consumer_lag", {"topic": topic, "consumer": group}
            )
            if value is not None and predicate(value):  # type: ignore[operator]
                return value
            await asyncio.sleep(0.1)


async def test_consumer_lag_is_read_from_the_broker(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str
) -> None:
    source = await stand_in_topic(kafka_bootstrap, "kitlag", JobStage, "lag test input")
    worker = Worker(
        ServiceSettings(
            service_name="kit-metrics-test",
            database_url=admin_database_url,
            db_schema=SCHEMA,
            kafka_bootstrap=kafka_bootstrap,
            lag_interval_s=0.2,
        )
    )
    release = asyncio.Event()
    group = f"kit-{uuid.uuid4().hex[:8]}"

    @worker.handler(source, group=group)
    async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        await release.wait()

    job = uuid.uuid4()
    payload = JobStage(job_id=job, video_id="abcdefghijk", stage="geo", state="progress")
    for _ in range(3):
        envelope = Envelope(type=source.event_type, producer="test", subject="abcdefghijk")
        await publish_raw(
            kafka_bootstrap,
            source.name,
            payload.model_dump_json().encode(),
            envelope.to_headers(),
            b"abcdefghijk",
        )
    async with running(worker):
        assert await _until_lag(source.name, group, lambda v: v == 3) == 3  # none committed
        release.set()
        assert await _until_lag(source.name, group, lambda v: v == 0) == 0  # all handled
