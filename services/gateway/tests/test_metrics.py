"""The gateway's ``/metrics`` with two server processes (``python -m
pind_gateway``, ``PIND_HTTP_WORKERS=2``): every request is counted once by
the process that served it, and a scrape, whichever process answers it,
adds up all of them (Prometheus multiprocess mode, in a folder the parent
empties at start and removes at exit)."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.gateway_processes import running
from pind_gateway.settings import GatewaySettings

COUNT = "pind_http_request_seconds_count"
LABELS = {"route": "/api/v1/jobs/{job_id}", "method": "GET", "status": "404"}


def counted_by_process(folder: Path, scratch: Path) -> dict[int, float]:
    """The requests each process counted, read from its own file alone."""
    counts = {}
    for db in folder.glob("histogram_*.db"):
        alone = scratch / db.stem
        alone.mkdir(parents=True, exist_ok=True)
        shutil.copy(db, alone / db.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
        counts[int(db.stem.split("_")[1])] = registry.get_sample_value(COUNT, LABELS) or 0.0
    return counts


def scraped(text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == COUNT and all(sample.labels.get(k) == v for k, v in LABELS.items())
    )


async def test_metrics_add_up_over_the_server_processes(
    settings: GatewaySettings, migrated: None, topics: None, auth_server: str, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    env = {
        "PIND_HTTP_WORKERS": "2",
        "PIND_RUN_DIR": str(run_dir),
        "PIND_RUN_PROJECTION": "false",
        "PIND_CONSUMER_GROUP": f"pind-gateway-metrics-{uuid.uuid4().hex[:8]}",
        "PIND_JOB_TIMEOUT_S": str(settings.job_timeout_s),
        "PIND_AUTH_URL": auth_server,
        "PIND_AUTH_JWKS_URL": f"{auth_server}/.well-known/jwks.json",
    }
    async with running(settings, tmp_path, gateway=env) as started:
        gateway = started["gateway"]
        folder = run_dir / "metrics" / f"gateway-{gateway.port}"

        async def ask() -> None:
            """One request on a connection of its own: the kernel hands each new
            connection to either process."""
            async with httpx.AsyncClient(base_url=gateway.url) as http:
                answer = await http.get(f"/api/v1/jobs/{uuid.uuid4()}")
            assert answer.status_code == 404

        sent = 0
        async with asyncio.timeout(120):
            while True:
                await asyncio.gather(*(ask() for _ in range(10)))
                sent += 10
                counts = counted_by_process(folder, tmp_path / "scratch")
                if len([c for c in counts.values() if c > 0]) >= 2:
                    break
        assert sum(counts.values()) == sent  # each request counted once, by its process

        # Every scrape, whichever process answers it, adds up both.
        for _ in range(8):
            async with httpx.AsyncClient(base_url=gateway.url) as http:
                answer = await http.get("/metrics")
            assert answer.status_code == 200
            assert scraped(answer.text) == sent
    assert not folder.exists()  # removed by the parent at exit
