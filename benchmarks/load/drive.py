"""Clients of a load run: guests and signed-in users submitting distinct videos
through the gateway's HTTP API, each with at most one job in flight, together
paced to at most ``rate`` submissions a second; and the watcher that sees jobs
end in the gateway's own tables (``analyses.finished_at``, stamped by its
projection), so following thousands of jobs costs the gateway no extra
requests."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import NullPool, TextClause, text
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.load.lag import LagSeries
from benchmarks.load.options import Options
from benchmarks.load.stack import Processes

SUBMIT_ATTEMPTS = 3
MAX_RETRY_WAIT_S = 5
PASSWORD = "load run password 9"  # noqa: S105  # accounts of the run's own database


@dataclass
class Outcome:
    submitted_at: float
    client: str
    finished_at: float | None = None
    state: str | None = None

    @property
    def latency_s(self) -> float | None:
        return None if self.finished_at is None else self.finished_at - self.submitted_at


@dataclass
class Ledger:
    """Every job of the run: when it was submitted, when and how it ended."""

    jobs: dict[str, Outcome] = field(default_factory=dict)
    waiting: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    rejected: int = 0
    retried: int = 0
    """Submissions sent again after a 503 with ``Retry-After`` (auth or the
    database briefly away), as a client that honours the header does."""

    early: dict[str, tuple[str, float]] = field(default_factory=dict)

    def finish(self, job_id: str, state: str, at: float) -> None:
        outcome = self.jobs.get(job_id)
        if outcome is None:
            self.early[job_id] = (state, at)  # seen before its submitter recorded it
            return
        if outcome.finished_at is not None:
            return
        outcome.finished_at, outcome.state = at, state
        waiter = self.waiting.pop(job_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def catch_up(self, job_id: str) -> None:
        if job_id in self.early:
            self.finish(job_id, *self.early.pop(job_id))


class Pacer:
    """At most ``rate`` starts a second over all clients (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next = time.monotonic()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self._interval:
            return
        async with self._lock:
            now = time.monotonic()
            self._next = max(self._next, now)
            delay = self._next - now
            self._next += self._interval
        if delay > 0:
            await asyncio.sleep(delay)  # pacing is the point: a deadline, not a condition


async def sign_in(http: httpx.AsyncClient, index: int, address: str) -> str:
    """Register a fresh account through the gateway and sign in; the access token."""
    email = f"load-{uuid.uuid4().hex[:12]}-{index}@pind.example"
    headers = {"X-Forwarded-For": address}
    registered = await http.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD}, headers=headers
    )
    if registered.status_code != 202:
        raise RuntimeError(f"register: {registered.status_code} {registered.text}")
    login = await http.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers=headers
    )
    if login.status_code != 200:
        raise RuntimeError(f"login: {login.status_code} {login.text}")
    token: str = login.json()["access_token"]
    return token


async def submit_loop(
    submit: Callable[[str], Awaitable[str]],
    name: str,
    next_video: Callable[[], str | None],
    pacer: Pacer,
    ledger: Ledger,
    stop_at: float,
    *,
    once: bool = False,
) -> None:
    """Submit, wait for the job to end, submit the next, until ``stop_at``
    (``once``: one job, whatever ``stop_at``). ``submit`` returns the job id."""
    loop = asyncio.get_running_loop()
    while once or time.monotonic() < stop_at:
        await pacer.wait()
        video = next_video()
        if video is None or (not once and time.monotonic() >= stop_at):
            return
        submitted_at = time.time()
        done = loop.create_future()
        job_id = await submit(video)
        ledger.waiting[job_id] = done
        ledger.jobs[job_id] = Outcome(submitted_at, name)
        ledger.catch_up(job_id)
        await done
        if once:
            return


def gateway_submitter(
    http: httpx.AsyncClient, headers: dict[str, str], ledger: Ledger
) -> Callable[[str], Awaitable[str]]:
    """A client of the gateway's ``POST /api/v1/videos``, with its own headers."""

    async def submit(video: str) -> str:
        for attempt in range(SUBMIT_ATTEMPTS):
            answer = await http.post(
                "/api/v1/videos",
                json={"url": f"https://www.youtube.com/watch?v={video}"},
                headers=headers,
            )
            wait = answer.headers.get("Retry-After", "")
            if answer.status_code != 503 or not wait.isdigit() or attempt + 1 == SUBMIT_ATTEMPTS:
                break
            ledger.retried += 1
            await asyncio.sleep(min(int(wait), MAX_RETRY_WAIT_S))
        if answer.status_code != 202:
            ledger.rejected += 1
            raise RuntimeError(f"submission answered {answer.status_code} {answer.text}")
        job_id: str = answer.json()["job_id"]
        return job_id

    return submit


GATEWAY_FINISHED = text(
    "SELECT j.id::text, a.state, a.finished_at FROM gateway.jobs j "
    "JOIN gateway.analyses a ON a.id = j.analysis_id "
    "WHERE a.finished_at IS NOT NULL AND (CAST(:since AS timestamptz) IS NULL "
    "OR a.finished_at >= CAST(:since AS timestamptz) - interval '2 seconds')"
)


async def watch(
    admin_url: str, ledger: Ledger, every_s: float = 0.1, query: TextClause = GATEWAY_FINISHED
) -> None:
    """Mark jobs ended as ``query`` finds them (id, state, finished_at rows
    since ``:since``; default: as the gateway's projection records them)."""
    engine = create_async_engine(admin_url, poolclass=NullPool)
    since: datetime | None = None
    try:
        async with engine.connect() as db:
            while True:
                rows = (await db.execute(query, {"since": since})).all()
                await db.rollback()
                for job_id, state, finished in rows:
                    ledger.finish(job_id, state, finished.timestamp())
                    since = finished if since is None else max(since, finished)
                await asyncio.sleep(every_s)  # polling a table: no notification to await
    finally:
        with contextlib.suppress(Exception):
            await engine.dispose()


@dataclass(frozen=True)
class Transactions:
    """Database transactions of a whole round (warm-up, drain and start-up
    included) and the jobs it created."""

    count: int
    sessions: int
    jobs: int

    def line(self) -> str:
        per_job = f"{self.count / self.jobs:.1f}" if self.jobs else "-"
        return (
            f"database: {self.count:,} transactions and {self.sessions:,} connections opened "
            f"for {self.jobs:,} jobs ({per_job} transactions a job; start-up and the load "
            "tool's own polling, 10 a second, included)"
        )


@dataclass
class RoundResult:
    ledger: Ledger
    cpu_s: dict[str, float]
    peak_rss: dict[str, int]
    seconds: float
    lag: LagSeries
    transactions: Transactions | None = None


async def measure(
    clients: Sequence[tuple[str, Callable[[str], Awaitable[str]]]],
    next_video: Callable[[], str | None],
    admin_url: str,
    query: TextClause,
    processes: Processes,
    options: Options,
    log_dir: Path,
    lag_sampler: Callable[[LagSeries, float], Coroutine[Any, Any, None]] | None = None,
) -> RoundResult:
    """A few jobs first (not counted) until the system answers, then the
    clients for ``options.duration_s`` and the jobs still in flight (up to
    ``options.drain_s``); CPU and peak RSS of ``processes`` over that window."""
    warm = Ledger()
    warm_watcher = asyncio.create_task(watch(admin_url, warm, query=query))
    try:
        first = (
            submit_loop(submit, name, next_video, Pacer(0), warm, 0.0, once=True)
            for name, submit in clients[:3]
        )
        await processes.guard(asyncio.gather(*first), options.warmup_s, log_dir)
    finally:
        warm_watcher.cancel()
    ledger = Ledger()
    series = LagSeries()
    started = time.monotonic()
    tasks = [
        asyncio.create_task(watch(admin_url, ledger, query=query)),
        asyncio.create_task(processes.sample_forever()),
    ]
    if lag_sampler is not None:
        tasks.append(asyncio.create_task(lag_sampler(series, started)))
    cpu_before = processes.cpu_seconds()
    stop_at = started + options.duration_s
    pacer = Pacer(options.rate)
    try:
        loops = (
            submit_loop(submit, name, next_video, pacer, ledger, stop_at)
            for name, submit in clients
        )
        await processes.guard(asyncio.gather(*loops), options.duration_s + 60, log_dir)
        pending = [f for f in ledger.waiting.values() if not f.done()]
        if pending:
            await asyncio.wait(pending, timeout=options.drain_s)
        seconds = time.monotonic() - started
        cpu_after = processes.cpu_seconds()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    cpu = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
    return RoundResult(ledger, cpu, dict(processes.peak_rss), seconds, series)
