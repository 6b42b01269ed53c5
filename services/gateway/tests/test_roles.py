"""The split gateway (issue 12, "Tail latency"): a projector process
(``pind-gateway projector``) consumes the topics and serves only its ops
endpoints; an API process (``PIND_ROLE=api``) runs no consumer nor sweeper,
yet serves what the projector wrote, hearing it through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from benchmarks.gateway_processes import running
from pind_contracts import JOB_STAGE, PLACES_EXTRACTED, USER, VIDEO_INGESTED
from pind_gateway.app import create_app
from pind_gateway.settings import GatewaySettings
from pind_kit.consume import Worker
from pind_kit.testing import commit_group_at_end

PROJECTED = (JOB_STAGE, VIDEO_INGESTED, PLACES_EXTRACTED, USER)


async def test_an_api_process_serves_what_the_projector_projects(
    settings: GatewaySettings,
    migrated: None,
    topics: None,
    auth_server: str,
    producer: AIOKafkaProducer,
    events: Any,
    tmp_path: Path,
) -> None:
    group = f"pind-gateway-split-{uuid.uuid4().hex[:8]}"
    await commit_group_at_end(settings.kafka_bootstrap, group, PROJECTED)
    common = {
        "PIND_CONSUMER_GROUP": group,
        "PIND_GUEST_SUBMISSIONS_PER_WINDOW": "100000",
        "PIND_JOB_TIMEOUT_S": str(settings.job_timeout_s),
        "PIND_AUTH_URL": auth_server,
        "PIND_AUTH_JWKS_URL": f"{auth_server}/.well-known/jwks.json",
    }
    async with running(
        settings,
        tmp_path,
        projector={**common, "PIND_ROLE": "projector"},
        api={**common, "PIND_ROLE": "api", "PIND_HTTP_WORKERS": "1"},
    ) as started:
        api, projector = started["api"], started["projector"]
        video_id = events.video_id()
        async with (
            httpx.AsyncClient(base_url=api.url, timeout=30) as http,
            httpx.AsyncClient(base_url=projector.url, timeout=10) as ops,
        ):
            # The projector yields the CPU to the API processes (PIND_PROJECTOR_NICE).
            mine = os.getpriority(os.PRIO_PROCESS, 0)
            assert os.getpriority(os.PRIO_PROCESS, projector.process.pid) == min(19, mine + 10)
            assert os.getpriority(os.PRIO_PROCESS, api.process.pid) == mine
            ready = await ops.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"database": True, "kafka": True}
            # The projector serves its ops endpoints and nothing else.
            assert (await ops.get("/api/v1/videos/x")).status_code == 404
            submitted = await http.post(
                "/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"}
            )
            assert submitted.status_code == 202, submitted.text
            job_id = uuid.UUID(submitted.json()["job_id"])
            await events.publish(producer, job_id, video_id, events.full_analysis(job_id, video_id))
            # The API process's stream wakes on the projector's NOTIFY (it has
            # no consumer of its own) and ends when the analysis does.
            last: dict[str, Any] = {}
            async with http.stream("GET", f"/api/v1/jobs/{job_id}/events") as stream:
                assert stream.status_code == 200
                event = ""
                async for line in stream.aiter_lines():
                    if line.startswith("event: "):
                        event = line.removeprefix("event: ")
                    elif line.startswith("data: ") and event == "job":
                        last = json.loads(line.removeprefix("data: "))
                    elif line.startswith("data: ") and event == "end":
                        assert json.loads(line.removeprefix("data: ")) == {"state": "succeeded"}
                        break
            assert last["state"] == "succeeded"
            assert [p["name"] for p in last["places"]] == ["광장시장", "경복궁"]
            answer = await http.get(f"/api/v1/jobs/{job_id}")
            assert answer.json()["state"] == "succeeded"
            # What it projected, the projector's /metrics counts (the API's does not);
            # counted once the batch is done, a moment after its commit woke the stream.
            async with asyncio.timeout(10):
                while not any(  # noqa: ASYNC110 (another process's counter: nothing to await)
                    line.startswith("pind_events_handled_total") and f'consumer="{group}"' in line
                    for line in (await ops.get("/metrics")).text.splitlines()
                ):
                    await asyncio.sleep(0.05)
            api_metrics = (await http.get("/metrics")).text
            assert f'consumer="{group}"' not in api_metrics


def test_an_api_process_runs_no_consumer_nor_sweeper(settings: GatewaySettings) -> None:
    worker = Worker(settings.model_copy(update={"role": "api"}))
    app = create_app(worker.settings, worker=worker)  # type: ignore[arg-type]
    assert worker.subscriptions == []
    assert app.state.sweeper is None
    everything = Worker(settings)
    create_app(settings, worker=everything)
    assert {s.topic.name for s in everything.subscriptions} == {t.name for t in PROJECTED}


def test_the_projector_role_builds_no_api(settings: GatewaySettings) -> None:
    with pytest.raises(ValueError, match="pind-gateway projector"):
        create_app(settings.model_copy(update={"role": "projector"}))
