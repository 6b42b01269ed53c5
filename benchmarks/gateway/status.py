"""Job-status GETs against real ``pind-gateway`` processes (projection off):
flat out at 10 and 50 connections, then paced to about 1,000 req/s."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import uuid
from pathlib import Path

import httpx

from benchmarks.gateway.wrk import PACED_LUA, WrkResult, run_wrk
from benchmarks.gateway_processes import running
from pind_gateway.settings import GatewaySettings


def video_id() -> str:
    return secrets.token_urlsafe(8)[:11]


PACED_RATE = 1000
"""Requests per second the paced job-status run offers in all."""
PACED_CONNECTIONS = 20
WARM_UP_S = 5
"""Load before measuring: /readyz answers once one server process is up, the
others may still be starting (and taking the CPU) for a few seconds."""


def bench_gateway_env() -> dict[str, str]:
    """A gateway that serves but does not project, and lets one address submit a lot."""
    return {
        "PIND_RUN_PROJECTION": "false",
        "PIND_CONSUMER_GROUP": f"pind-gateway-bench-{uuid.uuid4().hex[:8]}",
        "PIND_LOG_LEVEL": "WARNING",
        "PIND_GUEST_SUBMISSIONS_PER_WINDOW": "100000000",
    }


async def bench_status_get(
    settings: GatewaySettings, duration_s: int
) -> list[tuple[str, WrkResult]]:
    """Flat out at 10 and 50 connections, then paced to about ``PACED_RATE`` in all."""
    with tempfile.TemporaryDirectory() as logs:
        async with running(settings, Path(logs), bench=bench_gateway_env()) as started:
            base = started["bench"].url
            async with httpx.AsyncClient(base_url=base) as http:
                answer = await http.post(
                    "/api/v1/videos", json={"url": f"https://youtu.be/{video_id()}"}
                )
                if answer.is_error:  # say why, from the gateway's own log
                    tail = (Path(logs) / "bench.log").read_text(errors="replace")[-4000:]
                    raise RuntimeError(
                        f"submitting the benchmark's job: {answer.status_code} {answer.text}\n"
                        f"gateway log (last 4,000 characters):\n{tail}"
                    )
            url = f"{base}/api/v1/jobs/{answer.json()['job_id']}"
            await asyncio.to_thread(run_wrk, url, 10, WARM_UP_S)
            results = []
            for connections in (10, 50):
                flat_out = await asyncio.to_thread(run_wrk, url, connections, duration_s)
                results.append(("flat out", flat_out))
            paced = await asyncio.to_thread(
                run_wrk,
                url,
                PACED_CONNECTIONS,
                duration_s,
                script=PACED_LUA,
                env={"PIND_BENCH_DELAY_MS": str(PACED_CONNECTIONS * 1000 // PACED_RATE)},
            )
            results.append((f"paced to ~{PACED_RATE}/s", paced))
            return results
