"""Recent answers of ``GET /api/v1/jobs/{job_id}``, kept in this process.

Clients poll a job's status far more often than it changes, and every change
is announced with PostgreSQL NOTIFY (``repository.announce``), which this
process hears through :func:`~pind_gateway.core.watch.hear_job_changes`. So
an answer is kept as the JSON it was sent as, until a change that may touch
it is announced:

- a change of analysis ``A`` drops the answers of every job of ``A`` and of
  every job of the same videos (a new analysis of a video changes the places
  that all its jobs show);
- the listener reconnecting (it may have missed changes) drops everything.

What it serves: for a job whose analysis changed, the answer as of the last
change this process heard of. A change is heard a moment after the
projection's transaction commits (the NOTIFY's delivery), so a poll in that
moment may get the answer from before. One case waits for ``ttl_s``: a new
analysis of a video changes the places shown by the jobs of its earlier
analyses, and when this process keeps no answer of the new analysis it cannot
tell which video the change is about (the NOTIFY names only the analysis).
Answers are kept only while the listener is connected, and never longer than
``ttl_s``. A read that was under way while a change of its analysis, or of
its video as far as this process knows it, was heard is not kept; changes of
other analyses do not stop it (while the projection folds a steady stream of
events, some change is heard during almost every read). The last changes are
remembered (``remembered`` of them); a read that started before the oldest
one remembered, or before everything was dropped, is not kept.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from pind_gateway.core.watch import AnalysisWatch

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class _Answer:
    body: bytes
    analysis_id: uuid.UUID
    video_id: str
    expires_at: float


class JobAnswerCache:
    """Answers by job id, at most ``size`` of them, each for at most ``ttl_s``."""

    def __init__(
        self,
        *,
        ttl_s: float,
        size: int,
        live: Callable[[], bool],
        clock: Callable[[], float] = time.monotonic,
        remembered: int = 10_000,
    ) -> None:
        self._ttl_s = ttl_s
        self._size = size
        self._live = live
        self._clock = clock
        self._answers: dict[uuid.UUID, _Answer] = {}
        self._by_analysis: dict[uuid.UUID, set[uuid.UUID]] = {}
        self._by_video: dict[str, set[uuid.UUID]] = {}
        self._remembered = remembered
        self.generation = 0
        """Counts the changes heard; reads note it when they start."""
        self._changed_at: OrderedDict[Hashable, int] = OrderedDict()
        """Analysis ids and video ids → the generation of their last change."""
        self._horizon = 0
        """Reads started before this generation are not kept (what changed
        then is forgotten, or everything was dropped)."""

    @property
    def enabled(self) -> bool:
        return self._ttl_s > 0 and self._size > 0

    def get(self, job_id: uuid.UUID) -> bytes | None:
        answer = self._answers.get(job_id)
        if answer is None:
            return None
        if self._clock() >= answer.expires_at or not self._live():
            self._drop(job_id)
            return None
        return answer.body

    def put(
        self,
        job_id: uuid.UUID,
        analysis_id: uuid.UUID,
        video_id: str,
        body: bytes,
        *,
        read_at_generation: int,
    ) -> None:
        """Keep ``body``, read when :attr:`generation` was ``read_at_generation``,
        unless a change of its analysis or video was heard since (then it may be
        outdated already)."""
        if not self.enabled or not self._live() or read_at_generation < self._horizon:
            return
        if any(
            self._changed_at.get(key, -1) > read_at_generation for key in (analysis_id, video_id)
        ):
            return
        self._drop(job_id)
        if len(self._answers) >= self._size:
            self._drop(next(iter(self._answers)))  # the oldest kept
        self._answers[job_id] = _Answer(body, analysis_id, video_id, self._clock() + self._ttl_s)
        self._by_analysis.setdefault(analysis_id, set()).add(job_id)
        self._by_video.setdefault(video_id, set()).add(job_id)

    def changed(self, key: uuid.UUID) -> None:
        """An analysis (or some other id) changed: drop what it may touch."""
        self.generation += 1
        self._remember(key)
        jobs = self._by_analysis.get(key)
        if jobs is None:
            return  # no kept answer of it; those of its video age out (``ttl_s``)
        videos = {self._answers[job_id].video_id for job_id in jobs}
        for video_id in videos:
            self._remember(video_id)
            for job_id in list(self._by_video.get(video_id, ())):
                self._drop(job_id)

    def _remember(self, key: Hashable) -> None:
        self._changed_at[key] = self.generation
        self._changed_at.move_to_end(key)
        while len(self._changed_at) > self._remembered:
            _, forgotten = self._changed_at.popitem(last=False)
            self._horizon = max(self._horizon, forgotten)

    def clear(self) -> None:
        self.generation += 1
        self._horizon = self.generation
        self._changed_at.clear()
        self._answers.clear()
        self._by_analysis.clear()
        self._by_video.clear()

    def _drop(self, job_id: uuid.UUID) -> None:
        answer = self._answers.pop(job_id, None)
        if answer is None:
            return
        _discard(self._by_analysis, answer.analysis_id, job_id)
        _discard(self._by_video, answer.video_id, job_id)


def _discard(index: dict[K, set[uuid.UUID]], key: K, job_id: uuid.UUID) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(job_id)
        if not members:
            del index[key]


class InvalidatingWatch(AnalysisWatch):
    """The process's :class:`AnalysisWatch`, which also tells the answer cache
    of every change it is notified of (by the projection or the listener)."""

    def __init__(self, cache: JobAnswerCache) -> None:
        super().__init__()
        self._cache = cache

    def notify(self, key: uuid.UUID) -> None:
        self._cache.changed(key)
        super().notify(key)

    def notify_all(self) -> None:
        self._cache.clear()
        super().notify_all()
