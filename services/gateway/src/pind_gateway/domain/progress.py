"""How stage reports fold into a stage's state, and stages into a job's state.

Both folds are order-independent: events may arrive duplicated, late or
reversed (a ``progress`` after ``succeeded``, the places before any stage
event) and the result is the same as in order. The projection stores the
folded state and recomputes the job from it after every event.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, TypeVar, get_args

StageName = Literal["ingest", "transcript", "vision", "geo"]
STAGES: tuple[StageName, ...] = get_args(StageName)

StageStatus = Literal["pending", "running", "succeeded", "failed", "skipped"]
STAGE_STATUSES: tuple[StageStatus, ...] = get_args(StageStatus)
TERMINAL_STAGE: frozenset[StageStatus] = frozenset({"succeeded", "failed", "skipped"})

ReportedState = Literal["started", "progress", "succeeded", "failed", "skipped"]

JobState = Literal["queued", "running", "succeeded", "partial", "failed"]
JOB_STATES: tuple[JobState, ...] = get_args(JobState)
FINAL_JOB_STATES: frozenset[JobState] = frozenset({"succeeded", "partial", "failed"})

# Share of the whole analysis each stage stands for, in percent.
STAGE_WEIGHTS: Mapping[StageName, int] = {"ingest": 15, "transcript": 30, "vision": 30, "geo": 25}

# Without these nothing downstream can run, so their failure ends the job.
_BLOCKING: tuple[StageName, ...] = ("ingest", "geo")

_STAGE_LABELS: Mapping[StageName, str] = {
    "ingest": "reading the video",
    "transcript": "reading the transcript",
    "vision": "reading on-screen text",
    "geo": "finding places",
}
# The step of a job whose places are in before its video's description.
DESCRIBING = "saving the video's details"


@dataclass(frozen=True, slots=True)
class StageReport:
    """One ``pind.job.stage.v1`` event, as far as the job's state cares."""

    state: ReportedState
    progress: float
    occurred_at: datetime
    reason: str | None = None
    error_code: str | None = None
    retryable: bool = False


@dataclass(frozen=True, slots=True)
class StageSnapshot:
    """What we know of one stage of one analysis."""

    status: StageStatus = "pending"
    progress: float = 0.0
    reason: str | None = None
    error_code: str | None = None
    retryable: bool = False
    reported_at: datetime | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STAGE


def fold_stage(current: StageSnapshot, report: StageReport) -> StageSnapshot:
    """The stage after ``report``; ``current`` itself when the report changes nothing.

    A stage never moves back from an end state to running. Between two end
    states the later report wins (a retried stage may succeed after a failure);
    the order the events arrive in does not matter.
    """
    if report.state in ("started", "progress"):
        if current.terminal:
            return current
        progress = max(current.progress, report.progress)
        reported_at = _latest(current.reported_at, report.occurred_at)
        moved = replace(current, status="running", progress=progress, reported_at=reported_at)
        return current if moved == current else moved

    status = _ENDS[report.state]
    ended = StageSnapshot(
        status=status,
        progress=1.0 if status in ("succeeded", "skipped") else report.progress,
        reason=report.reason,
        error_code=report.error_code,
        retryable=report.retryable,
        reported_at=report.occurred_at,
    )
    # Between two ends the later report wins, then the better outcome, then any
    # fixed order: a total order, so the arrival order never matters.
    if current.terminal and _end_key(ended) <= _end_key(current):
        return current
    return ended


def _end_key(stage: StageSnapshot) -> tuple[datetime | None, int, str, str, bool, float]:
    return (
        stage.reported_at,
        _END_RANK[stage.status],
        stage.reason or "",
        stage.error_code or "",
        stage.retryable,
        stage.progress,
    )


_ENDS: Mapping[ReportedState, StageStatus] = {
    "succeeded": "succeeded",
    "failed": "failed",
    "skipped": "skipped",
}
_END_RANK: Mapping[StageStatus, int] = {
    "pending": 0,
    "running": 0,
    "failed": 1,
    "skipped": 2,
    "succeeded": 3,
}


def _latest(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


@dataclass(frozen=True, slots=True)
class JobStatus:
    """The job-level view derived from its stages and the places result."""

    state: JobState
    progress: int
    error: str | None
    current_step: str

    @property
    def final(self) -> bool:
        return self.state in FINAL_JOB_STATES


def derive_job_status(
    stages: Mapping[StageName, StageSnapshot], places_found: int | None, *, described: bool
) -> JobStatus:
    """Fold the stages, the places result (``None`` until it arrived) and
    whether ingest's description of the video (its title) is stored yet into
    the job.

    - places arrived: ``succeeded``, or ``partial`` when a stage failed on the way;
      with no places at all and a failed stage, ``failed``; but still ``running``
      until the video is described: each topic is read on its own, so geo's
      result can be projected before ingest's report, and a finished job
      answered without its title would never get it;
    - no places yet: ``failed`` once ingest or geo failed or was skipped
      (nothing more will come), else ``queued``/``running``.
    """
    snap = {name: stages.get(name, StageSnapshot()) for name in STAGES}
    failed = [name for name in STAGES if snap[name].status == "failed"]
    if places_found is not None and not described:
        return JobStatus("running", 99, None, DESCRIBING)
    if places_found is not None:
        if failed and places_found == 0:
            return JobStatus("failed", 100, _failure_text(snap, failed), "failed")
        if failed:
            return JobStatus("partial", 100, _failure_text(snap, failed), "partial")
        return JobStatus("succeeded", 100, None, "succeeded")

    blocking = [name for name in _BLOCKING if snap[name].status in ("failed", "skipped")]
    if blocking:
        return JobStatus("failed", 100, _failure_text(snap, blocking), "failed")
    if all(s.status == "pending" for s in snap.values()):
        return JobStatus("queued", 0, None, "queued")
    done = sum(
        STAGE_WEIGHTS[name] * (1.0 if snap[name].terminal else snap[name].progress)
        for name in STAGES
    )
    running = [name for name in STAGES if snap[name].status == "running"]
    pending = [name for name in STAGES if snap[name].status == "pending"]
    step = running[0] if running else pending[0] if pending else "geo"
    return JobStatus("running", min(99, int(done)), None, _STAGE_LABELS[step])


def _failure_text(snap: Mapping[StageName, StageSnapshot], names: list[StageName]) -> str:
    parts = []
    for name in names:
        stage = snap[name]
        verb = "was skipped" if stage.status == "skipped" else "failed"
        detail = f": {stage.reason}" if stage.reason else ""
        parts.append(f"{_STAGE_LABELS[name]} {verb}{detail}")
    return "; ".join(parts)


K = TypeVar("K", bound=Hashable)


def condense(reports: Iterable[tuple[K, StageReport]]) -> list[tuple[K, StageReport]]:
    """The reports with each key's running ones (``started``, ``progress``)
    merged into one with their highest progress and latest time.

    Folding a running report keeps just those two (or nothing, once the stage
    ended), and folding does not depend on order, so folding the condensed
    reports ends where folding all of them would, with fewer folds.
    """
    running: dict[K, tuple[float, datetime]] = {}
    ends: list[tuple[K, StageReport]] = []
    for key, report in reports:
        if report.state in ("started", "progress"):
            seen = running.get(key)
            running[key] = (
                (report.progress, report.occurred_at)
                if seen is None
                else (max(seen[0], report.progress), max(seen[1], report.occurred_at))
            )
        else:
            ends.append((key, report))
    merged = [
        (key, StageReport("progress", progress, occurred_at))
        for key, (progress, occurred_at) in running.items()
    ]
    return merged + ends
