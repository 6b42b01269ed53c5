"""One load round through the Celery baseline (:mod:`benchmarks.load.celery_app`):
Debian's ``redis-server`` and a Celery worker (prefork) started on a free port
for the run and stopped after; the same clients, pacing and fake YouTube as
pind's round. A job is submitted as the first pind's web app did: its row
inserted, its chain queued (no HTTP front in between)."""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from benchmarks.gateway_processes import free_port
from benchmarks.load import drive
from benchmarks.load.drive import RoundResult
from benchmarks.load.options import Options
from benchmarks.load.pind_run import video_source
from benchmarks.load.stack import Processes, fakes, infrastructure, service_env, spawn
from benchmarks.load.videos import Catalogue

FINISHED = text(
    "SELECT id::text, state, finished_at FROM celery_load.jobs WHERE finished_at IS NOT NULL "
    "AND (CAST(:since AS timestamptz) IS NULL "
    "OR finished_at >= CAST(:since AS timestamptz) - interval '2 seconds')"
)


def redis_server() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise SystemExit(
            "redis-server is not installed: 'make setup' installs it (Debian package redis-server)"
        )
    return found


async def _create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        await db.execute(text("CREATE SCHEMA IF NOT EXISTS celery_load"))
        await db.execute(
            text(
                "CREATE TABLE IF NOT EXISTS celery_load.jobs (id uuid PRIMARY KEY, "
                "video_id text NOT NULL, state text NOT NULL, places integer, "
                "created_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz)"
            )
        )


async def _wait_redis(port: int, process: Processes) -> None:
    async with asyncio.timeout(30):
        while True:
            if process.roots["redis"].poll() is not None:
                raise RuntimeError("redis-server exited at start")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)  # a process we do not control: no signal to await
                continue
            writer.close()
            return


@asynccontextmanager
async def baseline(
    options: Options, catalogue: Catalogue, urls: Mapping[str, str], log_dir: Path
) -> AsyncIterator[tuple[Processes, str]]:
    """Fakes, redis-server and the Celery worker, stopped on exit; yields them
    and the broker URL."""
    processes = Processes(shared=infrastructure("postgres"))
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    # fmt: off
    redis = [redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(log_dir)]
    worker = [sys.executable, "-m", "celery", "-A", "benchmarks.load.celery_app", "worker",
              "--pool", "prefork", "--concurrency", str(options.celery_workers),
              "--without-gossip", "--without-mingle", "--without-heartbeat",
              "--loglevel", "WARNING"]
    # fmt: on
    try:
        processes.roots["redis"] = spawn(redis, {"PATH": "/usr/bin:/bin"}, log_dir / "redis.log")
        await _wait_redis(port, processes)
        async with fakes(catalogue, log_dir, processes) as youtube:
            env = service_env("admin", 0, urls, youtube, 0, "")
            env.update(
                PIND_LOAD_REDIS_URL=redis_url,
                PIND_LOAD_CELERY_DATABASE_URL=urls["admin"],
                PIND_SERVICE_NAME="celery",
            )
            processes.roots["celery"] = spawn(worker, env, log_dir / "celery.log")
            yield processes, redis_url
    finally:
        processes.stop()


def submitter(engine: AsyncEngine) -> Callable[[str], Awaitable[str]]:
    """A job as the first pind's web app made one: a row, then its chain queued."""
    from benchmarks.load import celery_app

    async def submit(video: str) -> str:
        job_id = str(uuid.uuid4())
        async with engine.begin() as db:
            await db.execute(
                text(
                    "INSERT INTO celery_load.jobs (id, video_id, state) VALUES (:id, :v, 'queued')"
                ),
                {"id": job_id, "v": video},
            )
        celery_app.submit(job_id, video)
        return job_id

    return submit


async def run_round(
    options: Options, run: str, catalogue: Catalogue, log_dir: Path, urls: Mapping[str, str]
) -> RoundResult:
    """The baseline with the same clients, pacing and videos (ids after pind's)."""
    from benchmarks.load import celery_app

    engine = create_async_engine(urls["admin"], pool_size=min(options.clients, 20) + 2)
    await _create_schema(engine)
    try:
        async with baseline(options, catalogue, urls, log_dir) as (processes, redis_url):
            celery_app.app.conf.broker_url = redis_url
            submit = submitter(engine)
            clients = [(f"client{i}", submit) for i in range(options.clients)]
            return await drive.measure(
                clients,
                video_source(run, options.max_videos, 2 * options.max_videos),
                urls["admin"],
                FINISHED,
                processes,
                options,
                log_dir,
            )
    finally:
        await engine.dispose()
