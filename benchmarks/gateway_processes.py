"""Service instances as real processes (``python -m pind_<service>``) on free
ports: gateways for the benchmarks and the gateway tests that need more than
one instance or a real server (:func:`running`), and one service of any kind
for the fuzz run and the attack suite (:func:`service_process`)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from pind_gateway.settings import GatewaySettings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Instance:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


async def wait_ready(instance: Instance, log: Path, within_s: float = 120.0) -> None:
    """Wait until /readyz answers 200 (the process is up, broker and DB reachable)."""
    async with (
        httpx.AsyncClient(base_url=instance.url, timeout=2) as http,
        asyncio.timeout(within_s),
    ):
        while True:
            if instance.process.poll() is not None:
                tail = log.read_bytes()[-3000:].decode(errors="replace")  # noqa: ASYNC240
                raise RuntimeError(f"{instance.name} exited before it was ready:\n{tail}")
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)  # polling a process we do not control: no signal to await


@asynccontextmanager
async def running(
    settings: GatewaySettings, log_dir: Path, **instances: dict[str, str]
) -> AsyncIterator[dict[str, Instance]]:
    """Start one gateway process per keyword (its extra PIND_* environment)."""
    started: dict[str, Instance] = {}
    try:
        for name, extra in instances.items():
            port = free_port()
            env = {
                **os.environ,
                "PIND_DATABASE_URL": settings.database_url.get_secret_value(),
                "PIND_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
                "PIND_HTTP_HOST": "127.0.0.1",
                "PIND_HTTP_PORT": str(port),
                "PIND_LOG_JSON": "false",
                "PIND_LOG_LEVEL": "WARNING",
                "PIND_RELAY_POLL_INTERVAL_S": "0.1",
                **extra,
            }
            log = log_dir / f"{name}.log"
            process = subprocess.Popen(  # noqa: ASYNC220
                [sys.executable, "-m", "pind_gateway"],
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            started[name] = Instance(name, port, process)
        await asyncio.gather(*(wait_ready(i, log_dir / f"{i.name}.log") for i in started.values()))
        yield started
    finally:
        for instance in started.values():
            instance.process.terminate()
        for instance in started.values():
            try:
                instance.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                instance.process.kill()


@asynccontextmanager
async def service_process(
    service: str, env: dict[str, str], log: Path, *, topic_prefix: str
) -> AsyncIterator[str]:
    """Run ``python -m pind_<service>`` on a free port with ``env`` over this
    process's environment, its topics under ``topic_prefix``, its output in
    ``log``; yields its base URL once ready; stops it (SIGTERM, then SIGKILL
    after 15 s)."""
    port = free_port()
    process = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "-m", f"pind_{service}"],
        env={
            **os.environ,
            "PIND_HTTP_HOST": "127.0.0.1",
            "PIND_HTTP_PORT": str(port),
            "PIND_LOG_JSON": "false",
            "PIND_LOG_LEVEL": "WARNING",
            "PIND_KAFKA_TOPIC_PREFIX": topic_prefix,
            **env,
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    instance = Instance(f"{log.stem} ({service})", port, process)
    try:
        await wait_ready(instance, log)
        yield instance.url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
