"""One database read per change of a job, shared by all its followers in this
process; and the caps on how many live streams are open at once.

:class:`JobHub` keeps one :class:`_Feed` per followed job. The feed's task
(its *pump*) waits on :class:`~pind_gateway.core.watch.AnalysisWatch` (this
process's projection and the NOTIFY listener), reads the job once per wake
and once per ``refresh_s`` (a notification lost while the listener
reconnected is caught up with), and hands the view it read to every
follower. A thousand followers of one job cost one read per change, not a
thousand. The feed, and its task, end with the job's final state or when its
last follower leaves.

:class:`StreamSlots` counts the open streams of this process per client (an
address, an IPv6 /64, or a signed-in user) and in total; past either cap a
new stream is refused with :class:`TooManyStreams` (429; WebSocket 1013).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncGenerator
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway.core.errors import GatewayError
from pind_gateway.core.views import JobView
from pind_gateway.core.watch import AnalysisWatch
from pind_gateway.domain.progress import FINAL_JOB_STATES
from pind_gateway.jobs import service as jobs
from pind_kit import clients

log = structlog.get_logger(__name__)

Fingerprint = tuple[datetime, datetime | None, datetime | None, str, int]
RETRY_AFTER_S = 30
READ_RETRY_S = 1.0


def fingerprint(view: JobView) -> Fingerprint:
    job, video = view.job, view.video
    return (job.updated_at, video.metadata_at, video.places_at, job.state, job.progress)


def is_final(view: JobView) -> bool:
    return view.job.state in FINAL_JOB_STATES


def is_newer(view: JobView, than: JobView) -> bool:
    """``view`` shows a change ``than`` does not, and none of its times is older
    (a read that began before another follower's may answer after it)."""
    new, old = fingerprint(view), fingerprint(than)
    if new == old:
        return False
    times = zip(new[:3], old[:3], strict=True)
    return all(b is None or (a is not None and a >= b) for a, b in times)


class _Feed:
    """The followers of one job in this process: the latest view read, and a
    future resolved (then replaced) at each new one."""

    def __init__(self, first: JobView) -> None:
        self.view = first
        self.followers = 0
        self.closed = False
        self.next: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[None] | None = None

    def publish(self, view: JobView) -> None:
        self.view = view
        done, self.next = self.next, asyncio.get_running_loop().create_future()
        done.set_result(None)


class JobHub:
    """The feeds of the jobs followed in this process, by job id."""

    def __init__(
        self,
        reader: async_sessionmaker[AsyncSession],
        watch: AnalysisWatch,
        *,
        refresh_s: float,
    ) -> None:
        self._reader = reader
        self._watch = watch
        self._refresh_s = refresh_s
        self._feeds: dict[uuid.UUID, _Feed] = {}
        self.reads = 0
        """Reads of followed jobs by the feeds (one per change heard, whatever
        the number of followers): the tests count them."""

    @property
    def feeds(self) -> int:
        return len(self._feeds)

    async def current(self, job_id: uuid.UUID) -> JobView:
        """The job as its feed last read it, else read now (:class:`JobNotFound`)."""
        feed = self._feeds.get(job_id)
        if feed is not None and not feed.closed:
            return feed.view
        async with self._reader() as session:
            return await jobs.get_job(session, job_id)

    async def follow(
        self, first: JobView, *, heartbeat_s: float, max_s: float
    ) -> AsyncGenerator[JobView | None, None]:
        """Yield ``first``, then each newer view of the job (``None`` after an
        idle ``heartbeat_s``); ends after a final state or ``max_s``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_s
        yield first
        if is_final(first):
            return
        feed = self._join(first)
        try:
            last = first
            while True:
                if is_newer(feed.view, last):
                    last = feed.view
                    yield last
                    if is_final(last):
                        return
                    continue  # the feed may have moved on while the caller sent it
                remaining = deadline - loop.time()
                if feed.closed or remaining <= 0:
                    return
                waiter = feed.next
                done, _ = await asyncio.wait([waiter], timeout=min(heartbeat_s, remaining))
                if not done and loop.time() < deadline:
                    yield None
        finally:
            self._leave(feed)

    def _join(self, first: JobView) -> _Feed:
        feed = self._feeds.get(first.job.id)
        if feed is None or feed.closed:
            feed = _Feed(first)
            self._feeds[first.job.id] = feed
            feed.task = asyncio.create_task(self._pump(feed), name=f"job-feed-{first.job.id}")
        feed.followers += 1
        return feed

    def _leave(self, feed: _Feed) -> None:
        feed.followers -= 1
        if feed.followers == 0:
            self._close(feed)
            if feed.task is not None:
                feed.task.cancel()

    def _close(self, feed: _Feed) -> None:
        feed.closed = True
        if self._feeds.get(feed.view.job.id) is feed:
            del self._feeds[feed.view.job.id]

    async def _pump(self, feed: _Feed) -> None:
        """Read the job after each change heard (and every ``refresh_s``) and
        hand what changed to the followers, until it is final or unfollowed."""
        job_id = feed.view.job.id
        try:
            with self._watch.subscribe(feed.view.job.analysis_id) as changed:
                # The first follower's view was read before this subscription:
                # a change in between would not be heard, so read once now.
                while True:
                    changed.clear()  # before reading: a change during the read is not lost
                    try:
                        async with self._reader() as session:
                            view = await jobs.get_job(session, job_id)
                    except GatewayError:
                        raise
                    except Exception as exc:  # the database away: the streams wait
                        log.warning(
                            "reading a followed job failed", job_id=str(job_id), error=str(exc)
                        )
                        await asyncio.sleep(READ_RETRY_S)
                        continue
                    self.reads += 1
                    if is_newer(view, feed.view):
                        feed.publish(view)
                    if is_final(view):
                        return
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(changed.wait(), timeout=self._refresh_s)
        except GatewayError as exc:  # e.g. the job was deleted
            log.info("followed job can no longer be read", job_id=str(job_id), error=exc.message)
        finally:
            self._close(feed)
            feed.publish(feed.view)  # wake the followers: they end


class TooManyStreams(GatewayError):
    status_code = 429
    code = "too_many_streams"

    def __init__(self, why: str) -> None:
        retry = {"Retry-After": str(RETRY_AFTER_S)}
        super().__init__(f"{why}; close one or try again later", retry)


def client_key(address: str | None, user_id: uuid.UUID | None = None) -> str:
    """Whom a stream counts against: a signed-in user, else the address (an
    IPv6 address by its /64, which one subscriber gets whole)."""
    if user_id is not None:
        return f"user:{user_id}"
    return f"address:{clients.client_key(address) if address is not None else 'unknown'}"


class Slot:
    """One open stream's place in :class:`StreamSlots`; released once."""

    def __init__(self, slots: StreamSlots, key: str) -> None:
        self._slots = slots
        self.key = key
        self._held = True

    def move(self, key: str) -> None:
        """Count the stream against ``key`` instead (a follower who signed in);
        :class:`TooManyStreams` if ``key`` holds its share already (the slot is kept)."""
        if key == self.key or not self._held:
            return
        self._slots.check(key, moving=True)
        self._slots.take(key)
        self._slots.give_back(self.key)
        self.key = key

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots.give_back(self.key)


class StreamSlots:
    """Open live streams of this process, per client and in total."""

    def __init__(self, *, per_client: int, total: int) -> None:
        self.per_client = per_client
        self.total = total
        self._open: dict[str, int] = {}
        self.open = 0

    def acquire(self, key: str) -> Slot:
        self.check(key)
        self.take(key)
        return Slot(self, key)

    def check(self, key: str, *, moving: bool = False) -> None:
        if self._open.get(key, 0) >= self.per_client:
            whose = "your account" if key.startswith("user:") else "your address"
            raise TooManyStreams(f"too many live streams from {whose} (at most {self.per_client})")
        if not moving and self.open >= self.total:
            raise TooManyStreams(f"the server holds its most live streams ({self.total})")

    def take(self, key: str) -> None:
        self._open[key] = self._open.get(key, 0) + 1
        self.open += 1

    def give_back(self, key: str) -> None:
        left = self._open.get(key, 0) - 1
        if left > 0:
            self._open[key] = left
        else:
            self._open.pop(key, None)
        self.open -= 1

    def held_by(self, key: str) -> int:
        return self._open.get(key, 0)
