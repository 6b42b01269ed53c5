"""Group commit of submissions.

A submission costs a handful of statements, each a database round trip; what
limits throughput is round trips, not work. Concurrent requests therefore hand
their submission (link already parsed) to the process's
:class:`SubmissionBatcher`, which takes every submission pending, counts them
against the rate limits in one statement, writes the admitted ones with
:func:`pind_gateway.videos.service.submit_videos` in one transaction and answers each
caller. A lone request on an idle gateway goes at once, as a batch of one;
under load, batches fill while earlier ones run.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway.limits.service import Quotas, Submitter, charge_submissions
from pind_gateway.videos.service import Submission, SubmissionRequest, submit_videos

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class _Pending:
    request: SubmissionRequest
    submitter: Submitter
    answer: asyncio.Future[Submission]


class SubmissionBatcher:
    """Collects this process's submissions into batches, one transaction each.

    ``counter`` runs the rate-limit count (a statement of its own, committed
    before the submissions' transaction, so refused and failed submissions
    count too); ``sessionmaker`` runs the submissions' transaction. At most
    ``concurrency`` batches run at once, each of at most ``max_size``
    submissions; while one runs, the next waits up to ``max_wait_s`` after its
    first submission for more to arrive.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        counter: async_sessionmaker[AsyncSession],
        quotas: Quotas,
        *,
        stale_after: timedelta,
        max_size: int,
        max_wait_s: float,
        concurrency: int,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._counter = counter
        self._quotas = quotas
        self._stale_after = stale_after
        self._max_size = max_size
        self._max_wait_s = max_wait_s
        self._slots = asyncio.Semaphore(concurrency)
        self._running = 0
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._batches: set[asyncio.Task[None]] = set()
        self._collector: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._collector = asyncio.create_task(self._collect(), name="submission-batcher")

    async def stop(self) -> None:
        """Answer every submission handed in so far, then stop."""
        if self._collector is None:
            return
        collector, self._collector = self._collector, None
        self._queue.put_nowait(None)
        await collector
        await asyncio.gather(*self._batches)

    async def submit(self, request: SubmissionRequest, address: str | None) -> Submission:
        """Count and write ``request`` with the next batch; its job, or the
        request's own error (:class:`~pind_gateway.core.errors.RateLimited`, …)."""
        if self._collector is None:
            raise RuntimeError("the submission batcher is not running")
        answer: asyncio.Future[Submission] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(request, Submitter(request.requester, address), answer))
        return await answer

    async def _collect(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                return
            await self._slots.acquire()
            if self._running and self._max_wait_s > 0:
                # Other batches are running: this one has time to fill.
                await asyncio.sleep(self._max_wait_s)
            batch = [first]
            while len(batch) < self._max_size and not self._queue.empty():
                pending = self._queue.get_nowait()
                if pending is None:
                    stopping = True
                    break
                batch.append(pending)
            self._running += 1
            task = asyncio.create_task(self._run(batch))
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)

    async def _run(self, batch: list[_Pending]) -> None:
        try:
            admitted = await self._charge(batch)
            if admitted:
                await self._write(admitted)
        except Exception as exc:  # never leave a caller waiting
            log.exception("submission batch broke", size=len(batch))
            for pending in batch:
                _fail(pending, exc)
        finally:
            self._running -= 1
            self._slots.release()

    async def _charge(self, batch: list[_Pending]) -> list[_Pending]:
        """Count the batch against the rate limits; the submissions that fit."""
        try:
            async with self._counter() as session, session.begin():
                verdicts = await charge_submissions(
                    session, self._quotas, [pending.submitter for pending in batch]
                )
        except Exception as exc:
            for pending in batch:
                _fail(pending, exc)
            return []
        admitted = []
        for pending, refusal in zip(batch, verdicts, strict=True):
            if refusal is None:
                admitted.append(pending)
            else:
                _fail(pending, refusal)
        return admitted

    async def _write(self, batch: list[_Pending]) -> None:
        try:
            submissions = await self._transaction(batch)
        except Exception as exc:
            if len(batch) == 1:
                _fail(batch[0], exc)
                return
            # One bad submission must not fail the others: each on its own.
            log.warning("submission batch failed; writing one at a time", size=len(batch))
            for pending in batch:
                await self._write([pending])
            return
        for pending, submission in zip(batch, submissions, strict=True):
            if not pending.answer.done():  # its caller may have gone
                pending.answer.set_result(submission)

    async def _transaction(self, batch: list[_Pending]) -> list[Submission]:
        async with self._sessionmaker() as session, session.begin():
            return await submit_videos(
                session, [pending.request for pending in batch], stale_after=self._stale_after
            )


def _fail(pending: _Pending, exc: Exception) -> None:
    if not pending.answer.done():  # its caller may have gone
        pending.answer.set_exception(exc)
