"""The whole system for end-to-end tests: every service as its own OS process
against the real broker and database, the outside world faked in-process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from pind_kit.testing import REPO_ROOT, run_env

SERVICES: dict[str, int] = {
    "auth": 18001,
    "gateway": 18000,
    "ingest": 18101,
    "transcript": 18102,
    "vision": 18103,
    "geo": 18104,
}
LOG_DIR = REPO_ROOT / ".run" / "test-logs"
SPANS = LOG_DIR / "spans.jsonl"
"""Every service's finished spans (``PIND_OTEL_EXPORTER=jsonl:...``)."""


@dataclass
class ServiceProcess:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


@dataclass
class Stack:
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    fakes: Mapping[str, str] = field(default_factory=dict)
    topic_prefix: str = ""

    @property
    def gateway(self) -> str:
        return self.processes["gateway"].url

    def logs(self) -> str:
        return "\n".join(
            f"--- {name} (exit {p.process.poll()}) ---\n{p.log_tail()}"
            for name, p in self.processes.items()
        )


def service_env(
    name: str, port: int, fakes: Mapping[str, str], topic_prefix: str
) -> dict[str, str]:
    values = run_env()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIND_")}
    env.update({k: v for k, v in values.items() if not k.endswith("_DATABASE_URL")})
    env.update(
        PIND_DATABASE_URL=values[f"PIND_{name.upper()}_DATABASE_URL"],
        PIND_HTTP_PORT=str(port),
        PIND_YOUTUBE_RECORDED_URL=fakes["youtube"],
        PIND_YOUTUBE_BASE_URL=fakes["youtube"],
        PIND_AUTH_URL=f"http://127.0.0.1:{SERVICES['auth']}",
        PIND_AUTH_JWKS_URL=f"http://127.0.0.1:{SERVICES['auth']}/.well-known/jwks.json",
        PIND_LOG_JSON="true",
        PIND_KAFKA_TOPIC_PREFIX=topic_prefix,
        PIND_OTEL_EXPORTER=f"jsonl:{SPANS}",
        PIND_DEV="true",
        PIND_GUEST_SUBMISSIONS_PER_WINDOW="10000",
    )
    return env


def start(name: str, port: int, stack: Stack) -> ServiceProcess:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"{name}.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", f"pind_{name}"],
        cwd=REPO_ROOT,
        env=service_env(name, port, stack.fakes, stack.topic_prefix),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return ServiceProcess(name, port, process, log_path)


async def wait_ready(service: ServiceProcess, within_s: float = 180.0) -> None:
    """Until ``/readyz`` answers 200; fails early if the process dies."""
    try:
        await _poll_ready(service, within_s)
    except TimeoutError:
        raise AssertionError(
            f"{service.name} not ready after {within_s}s:\n{service.log_tail()}"
        ) from None


async def _poll_ready(service: ServiceProcess, within_s: float) -> None:
    async with httpx.AsyncClient(timeout=2.0) as client:
        async with asyncio.timeout(within_s):
            while True:
                if service.process.poll() is not None:
                    raise AssertionError(
                        f"{service.name} exited with {service.process.returncode}:\n"
                        f"{service.log_tail()}"
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{service.url}/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.25)


def stop(service: ServiceProcess, sig: int = signal.SIGTERM, within_s: float = 20.0) -> int:
    if service.process.poll() is None:
        os.killpg(service.process.pid, sig)
        try:
            service.process.wait(timeout=within_s)
        except subprocess.TimeoutExpired:
            os.killpg(service.process.pid, signal.SIGKILL)
            service.process.wait()
    return service.process.returncode


@contextlib.asynccontextmanager
async def running_stack(fakes: Mapping[str, str], topic_prefix: str = "") -> AsyncIterator[Stack]:
    stack = Stack(fakes=fakes, topic_prefix=topic_prefix)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    SPANS.write_bytes(b"")
    try:
        for name, port in SERVICES.items():
            stack.processes[name] = start(name, port, stack)
        await asyncio.gather(*(wait_ready(p) for p in stack.processes.values()))
        yield stack
    finally:
        for service in stack.processes.values():
            stop(service)


async def restart(stack: Stack, name: str) -> ServiceProcess:
    service = start(name, SERVICES[name], stack)
    stack.processes[name] = service
    await wait_ready(service)
    return service
