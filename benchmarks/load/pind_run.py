"""One load round through pind: the run's own topic namespace (created, then
deleted) and database, the fakes and six services as processes, guests and
signed-in users submitting distinct videos through the gateway."""

from __future__ import annotations

import functools
import itertools
import uuid
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import NullPool, text
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.load import drive, lag
from benchmarks.load.options import Options
from benchmarks.load.stack import pipeline
from benchmarks.load.videos import Catalogue, video_id
from pind_kit.topics import ensure_topics


def new_run_id() -> str:
    return uuid.uuid4().hex[:6]


def video_source(run: str, start: int, stop: int) -> Callable[[], str | None]:
    """The ids ``start`` to ``stop`` of the run's catalogue, one per call, then None."""
    counter = itertools.count(start)

    def next_video() -> str | None:
        index = next(counter)
        return video_id(run, index) if index < stop else None

    return next_video


async def _drop_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics(names)
    finally:
        await admin.close()


async def run_round(
    options: Options,
    run: str,
    catalogue: Catalogue,
    log_dir: Path,
    bootstrap: str,
    urls: Mapping[str, str],
) -> drive.RoundResult:
    """pind on topics ``load.<run>.*`` and the database of ``urls``."""
    prefix = f"load.{run}."
    topics = list(await ensure_topics(bootstrap, prefix=prefix))
    limits = httpx.Limits(max_connections=options.clients + 8)
    try:
        async with (
            pipeline(catalogue, urls, prefix, log_dir) as stack,
            httpx.AsyncClient(base_url=stack.gateway, timeout=30, limits=limits) as http,
        ):
            ledger_for_errors = drive.Ledger()
            clients: list[tuple[str, Callable[[str], Awaitable[str]]]] = []
            for i in range(options.guests):
                headers = {"X-Forwarded-For": f"10.9.{i // 250}.{i % 250 + 1}"}
                clients.append(
                    (f"guest{i}", drive.gateway_submitter(http, headers, ledger_for_errors))
                )
            for i in range(options.users):
                address = f"10.8.{i // 250}.{i % 250 + 1}"
                token = await drive.sign_in(http, i, address)
                headers = {"X-Forwarded-For": address, "Authorization": f"Bearer {token}"}
                clients.append(
                    (f"user{i}", drive.gateway_submitter(http, headers, ledger_for_errors))
                )
            sampler = functools.partial(lag.sample, bootstrap, prefix, every_s=options.lag_every_s)
            result = await drive.measure(
                clients,
                video_source(run, 0, options.max_videos),
                urls["admin"],
                drive.GATEWAY_FINISHED,
                stack.processes,
                options,
                log_dir,
                lag_sampler=lambda series, started: sampler(series=series, started=started),
            )
        # After the services stopped: a backend's statistics are flushed when it exits.
        result.transactions = await database_transactions(urls["admin"])
        return result
    finally:
        await _drop_topics(bootstrap, topics)


async def database_transactions(admin_url: str) -> drive.Transactions:
    """Transactions the run's database committed or rolled back since it was
    created (the services' and the load tool's own polling), the connections
    opened to it, and its jobs."""
    engine = create_async_engine(admin_url, poolclass=NullPool)
    try:
        async with engine.connect() as db:
            count, sessions = (
                await db.execute(
                    text(
                        "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database "
                        "WHERE datname = current_database()"
                    )
                )
            ).one()
            jobs = await db.scalar(text("SELECT count(*) FROM gateway.jobs"))
    finally:
        await engine.dispose()
    return drive.Transactions(int(count or 0), int(sessions or 0), int(jobs or 0))
