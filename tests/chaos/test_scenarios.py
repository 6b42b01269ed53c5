"""Faults as tested properties, on the whole system: six service processes,
the real broker and database, the outside world faked.

Every scenario asserts each job's final state, what the dead-letter topics
gained, and that the projection holds no duplicate places. The fast ones run
in ``make test``; those marked ``outage`` in ``make chaos``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import uuid
from collections.abc import Iterable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from pind_contracts import Envelope
from pind_contracts.topics import ALL_TOPICS
from pind_kit.dlt import read_dead_letters
from pind_kit.testing import REPO_ROOT, run_env
from tests.e2e.stack import Stack, restart, stop, wait_ready
from tests.e2e.test_pipeline import FINAL, job_when

OUTAGE_S = float(os.environ.get("PIND_CHAOS_OUTAGE_S", "30"))
VIDEOS = ("pindSeoul01", "pindHongdae", "pindBusan03")


def _bootstrap() -> str:
    return run_env().get("PIND_KAFKA_BOOTSTRAP", "127.0.0.1:9092")


async def dead_letters(prefix: str) -> dict[str, list[bytes]]:
    """Every record in the namespace's dead-letter topics, by topic (without the prefix)."""
    found: dict[str, list[bytes]] = {}
    for letter in await read_dead_letters(_bootstrap(), prefix):
        found.setdefault(letter.dlt.removeprefix(prefix), []).append(letter.value or b"")
    return found


def gained(before: dict[str, list[bytes]], after: dict[str, list[bytes]]) -> dict[str, list[bytes]]:
    return {
        topic: values[len(before.get(topic, [])) :]
        for topic, values in after.items()
        if len(values) > len(before.get(topic, []))
    }


async def submit(client: httpx.AsyncClient, stack: Stack, video_id: str) -> str:
    answer = await client.post(
        f"{stack.gateway}/api/v1/videos",
        json={"url": f"https://www.youtube.com/watch?v={video_id}", "refresh": True},
    )
    assert answer.status_code == 202, answer.text
    status_url: str = answer.json()["status_url"]
    return stack.gateway + status_url.removeprefix(stack.gateway)


async def finished(
    client: httpx.AsyncClient, stack: Stack, status_urls: Iterable[str], within_s: float = 300
) -> list[dict[str, Any]]:
    """Each job once final; a gateway that is down for a moment is retried."""

    async def one(url: str) -> dict[str, Any]:
        async with asyncio.timeout(within_s):
            while True:
                try:
                    return await job_when(client, url, lambda job: job["state"] in FINAL, within_s)
                except (httpx.HTTPError, ValueError, KeyError):
                    await asyncio.sleep(1)  # the gateway is restarting or its database is away

    try:
        return list(await asyncio.gather(*(one(url) for url in status_urls)))
    except TimeoutError:
        raise AssertionError(f"a job did not finish\n{stack.logs()}") from None


def assert_succeeded_without_duplicates(jobs: list[dict[str, Any]], stack: Stack) -> None:
    for job in jobs:
        assert job["state"] == "succeeded", f"{job}\n{stack.logs()}"
        assert job["places"], job
        names = [(p["name"], round(p["lat"], 5), round(p["lon"], 5)) for p in job["places"]]
        assert len(names) == len(set(names)), f"duplicate places: {names}"


def infra(script: str) -> None:
    """Stop or start Kafka or PostgreSQL. What is restarted is the same
    infrastructure as before, not a leftover of this test run: the run's marker
    stays out of its environment (scripts/test.sh stops what carries it)."""
    env = {k: v for k, v in os.environ.items() if k != "PIND_TEST_RUN_ID"}
    subprocess.run([str(REPO_ROOT / script)], check=True, cwd=REPO_ROOT, env=env, timeout=180)


# -- fast: in `make test` -----------------------------------------------------------


async def test_a_poison_event_on_each_input_topic_reaches_its_dlt_and_nothing_else(
    stack: Stack,
) -> None:
    """Undecodable records on every topic a service consumes are dead-lettered
    (once per consumer group) and the pipeline keeps working."""
    before = await dead_letters(stack.topic_prefix)
    poison = f"poison-{uuid.uuid4().hex[:8]}".encode() + b"\xff{not json"
    producer = AIOKafkaProducer(bootstrap_servers=_bootstrap())
    await producer.start()
    inputs = ALL_TOPICS  # every topic has at least one consumer
    try:
        for topic in inputs:
            envelope = Envelope(type=topic.event_type, producer="chaos", subject="pindChaos01")
            await producer.send_and_wait(
                stack.topic_prefix + topic.name,
                value=poison,
                key=b"pindChaos01",
                headers=envelope.to_headers(),
            )
    finally:
        await producer.stop()

    async with httpx.AsyncClient(timeout=10) as client:
        jobs = await finished(client, stack, [await submit(client, stack, "pindSeoul01")])
    assert_succeeded_without_duplicates(jobs, stack)

    async with asyncio.timeout(60):
        while True:
            new = gained(before, await dead_letters(stack.topic_prefix))
            if all(f"{t.name}.dlt" in new for t in inputs):
                break
            await asyncio.sleep(0.5)
    assert set(new) == {f"{t.name}.dlt" for t in inputs}, new
    for dlt, values in new.items():
        assert values and all(v == poison for v in values), (dlt, values)


async def test_the_gateway_killed_mid_job_comes_back_and_the_job_succeeds(
    stack: Stack,
) -> None:
    before = await dead_letters(stack.topic_prefix)
    async with httpx.AsyncClient(timeout=10) as client:
        url = await submit(client, stack, "pindHongdae")
        assert stop(stack.processes["gateway"], signal.SIGKILL) == -signal.SIGKILL
        await restart(stack, "gateway")
        jobs = await finished(client, stack, [url])
    assert_succeeded_without_duplicates(jobs, stack)
    assert gained(before, await dead_letters(stack.topic_prefix)) == {}


# -- outages: `make chaos` ---------------------------------------------------------


@pytest.mark.outage
@pytest.mark.parametrize(
    ("service", "stage"),
    [("ingest", "ingest"), ("transcript", "transcript"), ("geo", "geo"), ("auth", None)],
)
async def test_each_service_killed_mid_job_is_replaced_and_the_job_succeeds(
    stack: Stack, service: str, stage: str | None
) -> None:
    before = await dead_letters(stack.topic_prefix)
    async with httpx.AsyncClient(timeout=10) as client:
        url = await submit(client, stack, "pindHongdae")
        if stage is not None:
            await job_when(
                client,
                url,
                lambda job: job["stages"][stage]["state"] != "pending" or job["state"] in FINAL,
                120,
            )
        assert stop(stack.processes[service], signal.SIGKILL) == -signal.SIGKILL
        await restart(stack, service)
        jobs = await finished(client, stack, [url])
    assert_succeeded_without_duplicates(jobs, stack)
    assert gained(before, await dead_letters(stack.topic_prefix)) == {}


async def _through_an_outage(stack: Stack, stop_script: str, start_scripts: list[str]) -> None:
    before = await dead_letters(stack.topic_prefix)
    async with httpx.AsyncClient(timeout=10) as client:
        urls = [await submit(client, stack, video) for video in VIDEOS]
        infra(stop_script)
        try:
            await asyncio.sleep(OUTAGE_S)  # the outage itself
        finally:
            for script in start_scripts:
                infra(script)
        for name in ("gateway", "auth"):
            await wait_ready(stack.processes[name], within_s=120)
        jobs = await finished(client, stack, urls, within_s=600)
    assert_succeeded_without_duplicates(jobs, stack)
    assert gained(before, await dead_letters(stack.topic_prefix)) == {}
    for name, process in stack.processes.items():
        assert process.process.poll() is None, f"{name} died in the outage\n{stack.logs()}"


@pytest.mark.outage
async def test_postgresql_stopped_mid_run(stack: Stack) -> None:
    await _through_an_outage(stack, "deploy/postgres/stop.sh", ["deploy/postgres/start.sh"])


@pytest.mark.outage
async def test_kafka_stopped_mid_run(stack: Stack) -> None:
    await _through_an_outage(
        stack, "deploy/kafka/stop.sh", ["deploy/kafka/start.sh", "deploy/kafka/wait-ready.sh"]
    )
