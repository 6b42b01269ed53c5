"""The whole pipeline as OS processes for a load run: the fakes (``python -m
pind_fakes serve``) and the six services (``python -m pind_<service>``), all on
free ports, in the run's own topic namespace and database; and the psutil
sampling of their process trees (CPU seconds, peak RSS)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx
import psutil

from benchmarks.gateway_processes import Instance, free_port, wait_ready
from benchmarks.load.videos import Catalogue
from pind_kit.migrate import SERVICES
from pind_kit.testing import REPO_ROOT, run_env

T = TypeVar("T")


@dataclass
class Processes:
    """Named processes (each the root of a tree) and their cumulative usage."""

    roots: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    peak_rss: dict[str, int] = field(default_factory=dict)
    shared: dict[str, int] = field(default_factory=dict)
    """Processes the run uses but did not start (the broker, the database
    cluster): name → pid of the tree's root. Their CPU counts too, with
    whatever else they served meanwhile."""

    @property
    def names(self) -> list[str]:
        """Every tree measured: those the run started, then the shared ones."""
        return [*self.roots, *self.shared]

    def _pid(self, name: str) -> int:
        return self.shared[name] if name in self.shared else self.roots[name].pid

    def _tree(self, name: str) -> list[psutil.Process]:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(self._pid(name))
            return [root, *root.children(recursive=True)]
        return []

    def cpu_seconds(self) -> dict[str, float]:
        """User + system CPU of each tree so far (reaped children included)."""
        usage = {}
        for name in self.names:
            total = 0.0
            for process in self._tree(name):
                with contextlib.suppress(psutil.Error):
                    t = process.cpu_times()
                    total += t.user + t.system + t.children_user + t.children_system
            usage[name] = total
        return usage

    def sample_rss(self) -> None:
        for name in self.names:
            rss = 0
            for process in self._tree(name):
                with contextlib.suppress(psutil.Error):
                    rss += process.memory_info().rss
            self.peak_rss[name] = max(self.peak_rss.get(name, 0), rss)

    async def sample_forever(self, every_s: float = 0.5) -> None:
        while True:
            self.sample_rss()
            await asyncio.sleep(every_s)

    async def guard(self, awaitable: Awaitable[T], within_s: float, log_dir: Path) -> T:
        """``awaitable``'s result; fails early, with its log's tail, if a process
        exits meanwhile, and after ``within_s``."""
        task = asyncio.ensure_future(awaitable)
        try:
            async with asyncio.timeout(within_s):
                while not task.done():
                    for name, process in self.roots.items():
                        if process.poll() is not None:
                            log = log_dir / f"{name}.log"
                            tail = log.read_bytes()[-3000:].decode(errors="replace")
                            raise RuntimeError(f"{name} exited ({process.returncode}):\n{tail}")
                    await asyncio.wait([task], timeout=0.5)
        finally:
            task.cancel()
        return task.result()

    def stop(self) -> None:
        for process in self.roots.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.roots.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def infrastructure(*names: str) -> dict[str, int]:
    """The local stack's ``names`` (``kafka``, ``postgres``: ``.run/pids``)
    that are running, as ``"<name> (shared)"`` → pid."""
    found = {}
    for name in names:
        with contextlib.suppress(OSError, ValueError):
            pid = int((REPO_ROOT / ".run" / "pids" / f"{name}.pid").read_text().split()[0])
            if psutil.pid_exists(pid):
                found[f"{name} (shared)"] = pid
    return found


def spawn(command: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A process in a session of its own (stopped with its children), output to ``log``."""
    return subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=dict(env),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@dataclass(frozen=True)
class Pipeline:
    gateway: str
    youtube: str
    processes: Processes


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PIND_")}


async def _wait_http(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient(timeout=2) as http, asyncio.timeout(60):
        while True:
            if process.poll() is not None:
                tail = log.read_bytes()[-2000:].decode(errors="replace")  # noqa: ASYNC240
                raise RuntimeError(f"{url} exited before it was ready:\n{tail}")
            with contextlib.suppress(httpx.TransportError):
                if (await http.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.2)  # a process we do not control: no signal to await


@asynccontextmanager
async def fakes(catalogue: Catalogue, log_dir: Path, processes: Processes) -> AsyncIterator[str]:
    """The three fakes in one process answering without added latency; yields YouTube's URL."""
    ports = {name: free_port() for name in ("youtube", "gemini", "geocoders")}
    log = log_dir / "fakes.log"
    processes.roots["fakes"] = spawn(
        [
            sys.executable,
            "-m",
            "pind_fakes",
            "serve",
            *(arg for name, port in ports.items() for arg in (f"--{name}-port", str(port))),
            "--samples-dir",
            str(catalogue.samples_dir),
            "--scenarios-file",
            str(catalogue.scenarios_file),
        ],
        _base_env(),
        log,
    )
    youtube = f"http://127.0.0.1:{ports['youtube']}"
    await _wait_http(f"{youtube}/healthz", processes.roots["fakes"], log)
    yield youtube


def service_env(
    name: str, port: int, urls: Mapping[str, str], youtube: str, auth_port: int, prefix: str
) -> dict[str, str]:
    values = run_env()
    env = _base_env()
    env.update({k: v for k, v in values.items() if not k.endswith("_DATABASE_URL")})
    auth = f"http://127.0.0.1:{auth_port}"
    env.update(
        PIND_DATABASE_URL=urls[name],
        PIND_HTTP_HOST="127.0.0.1",
        PIND_HTTP_PORT=str(port),
        PIND_SERVICE_NAME=name,
        PIND_KAFKA_TOPIC_PREFIX=prefix,
        PIND_YOUTUBE_RECORDED_URL=youtube,
        PIND_YOUTUBE_BASE_URL=youtube,
        PIND_AUTH_URL=auth,
        PIND_AUTH_JWKS_URL=f"{auth}/.well-known/jwks.json",
        PIND_LOG_JSON="false",
        PIND_LOG_LEVEL="WARNING",
        PIND_DEV="true",
        PIND_OTEL_EXPORTER="none",
        PIND_SPEECH_ENABLED="false",
        PIND_READ_THUMBNAIL="false",
        PIND_SAMPLE_MAX_FRAMES="1",
        PIND_GUEST_SUBMISSIONS_PER_WINDOW="1000000",
        PIND_USER_SUBMISSIONS_PER_WINDOW="1000000",
    )
    return env


@asynccontextmanager
async def pipeline(
    catalogue: Catalogue, urls: Mapping[str, str], prefix: str, log_dir: Path
) -> AsyncIterator[Pipeline]:
    """Fakes + the six services; stopped (process groups) on exit."""
    processes = Processes(shared=infrastructure("kafka", "postgres"))
    try:
        async with fakes(catalogue, log_dir, processes) as youtube:
            ports = {name: free_port() for name in SERVICES}
            started = {}
            for name in SERVICES:
                env = service_env(name, ports[name], urls, youtube, ports["auth"], prefix)
                log = log_dir / f"{name}.log"
                process = spawn([sys.executable, "-m", f"pind_{name}"], env, log)
                processes.roots[name] = process
                started[name] = (Instance(name, ports[name], process), log)
            # geo loads its gazetteer and venue index first (~20 s on a quiet 2-core machine).
            await asyncio.gather(*(wait_ready(i, log, 600) for i, log in started.values()))
            yield Pipeline(started["gateway"][0].url, youtube, processes)
    finally:
        processes.stop()
