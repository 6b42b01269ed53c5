"""The one write path for what the analyses report: their stages and status,
timeouts, and the NOTIFY that tells every instance (the videos' descriptions
and places: :mod:`pind_gateway.projection.video_repository`). Callers own the
transaction.

Batched statements take their rows as one array parameter per column
(:func:`~pind_gateway.core.sql.unnest`), so each has one shape and is built,
compiled and prepared once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    Table,
    Text,
    Uuid,
    any_,
    bindparam,
    case,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from pind_gateway.core.models import Analysis, AnalysisStage, Job
from pind_gateway.core.sql import types_of, unnest
from pind_gateway.core.watch import JOBS_CHANNEL
from pind_gateway.domain.progress import JobStatus, StageName, StageSnapshot, StageStatus


@dataclass(frozen=True, slots=True)
class Lead:
    """An analysis, as folding its reports needs it. (Its id is the id of the
    job that started it: the lead of the jobs that share it.)"""

    id: uuid.UUID
    video_id: str
    timed_out: bool
    places_found: int | None


# Core tables, not ORM entities: these statements touch no objects in the session.
_jobs = cast(Table, Job.__table__)
_analyses = cast(Table, Analysis.__table__)
_stages = cast(Table, AnalysisStage.__table__)

# --- analyses: locks, stages, status -------------------------------------------

_LOCK_LEADS = (
    select(
        _jobs.c.id,
        _analyses.c.id,
        _analyses.c.video_id,
        _analyses.c.timed_out_at,
        _analyses.c.places_found,
    )
    .join_from(_jobs, _analyses, _analyses.c.id == _jobs.c.analysis_id)
    .where(_jobs.c.id == any_(bindparam("job_ids", type_=ARRAY(Uuid()))))
    .order_by(_analyses.c.id)
    .with_for_update(key_share=True, of=_analyses)
)
_STAGES_OF = select(
    _stages.c.analysis_id,
    _stages.c.stage,
    _stages.c.state,
    _stages.c.progress,
    _stages.c.reason,
    _stages.c.error_code,
    _stages.c.retryable,
    _stages.c.reported_at,
).where(_stages.c.analysis_id == any_(bindparam("analysis_ids", type_=ARRAY(Uuid()))))


async def lock_analyses(
    session: AsyncSession, job_ids: Iterable[uuid.UUID]
) -> tuple[dict[uuid.UUID, Lead], dict[uuid.UUID, dict[StageName, StageSnapshot]]]:
    """The analysis of each known job (by job id), locked (FOR NO KEY UPDATE)
    in id order so that two batches never wait on each other in a cycle, and
    the stages stored for each analysis.

    The stages are read by a second statement, after the locks are held: a
    statement that waited for a lock sees the locked rows as they are now
    but every other row as it was when the statement began (READ COMMITTED),
    so stages read together with the locks could miss what the transaction
    holding them wrote, and a status derived from them could go backwards."""
    rows = await session.execute(_LOCK_LEADS, {"job_ids": list(job_ids)})
    leads = {
        job_id: Lead(lead_id, video_id, timed_out_at is not None, places_found)
        for job_id, lead_id, video_id, timed_out_at, places_found in rows
    }
    return leads, await stages_of(session, list({lead.id for lead in leads.values()}))


_STAGE_COLUMNS = (
    "analysis_id",
    "stage",
    "state",
    "progress",
    "reason",
    "error_code",
    "retryable",
    "reported_at",
)
_stage_rows = unnest(types_of(_stages, *_STAGE_COLUMNS))
_stage_upsert = insert(_stages).from_select(
    [*_STAGE_COLUMNS, "updated_at"],
    select(*_stage_rows.c, bindparam("now", type_=DateTime(timezone=True))),
)
_SAVE_STAGES = _stage_upsert.on_conflict_do_update(
    index_elements=[_stages.c.analysis_id, _stages.c.stage],
    set_={
        name: _stage_upsert.excluded[name]
        for name in (*_STAGE_COLUMNS, "updated_at")
        if name not in ("analysis_id", "stage")
    },
)


async def save_stages(
    session: AsyncSession,
    changed: Sequence[tuple[uuid.UUID, StageName, StageSnapshot]],
    now: datetime,
) -> None:
    """Upsert the changed stages of analyses."""
    if not changed:
        return
    await session.execute(
        _SAVE_STAGES,
        {
            "analysis_id": [analysis_id for analysis_id, _, _ in changed],
            "stage": [stage for _, stage, _ in changed],
            "state": [s.status for _, _, s in changed],
            "progress": [s.progress for _, _, s in changed],
            "reason": [s.reason for _, _, s in changed],
            "error_code": [s.error_code for _, _, s in changed],
            "retryable": [s.retryable for _, _, s in changed],
            "reported_at": [s.reported_at for _, _, s in changed],
            "now": now,
        },
    )


_status_rows = unnest(
    {
        "analysis_id": Uuid(),
        "state": Text(),
        "progress": Integer(),
        "current_step": Text(),
        "error": Text(),
        "final": Boolean(),
    },
    suffix="_array",
)
_now = bindparam("now", type_=DateTime(timezone=True))
_SAVE_STATUSES = (
    update(_analyses)
    .where(_analyses.c.id == _status_rows.c.analysis_id)
    .values(
        state=_status_rows.c.state,
        progress=_status_rows.c.progress,
        current_step=_status_rows.c.current_step,
        error=_status_rows.c.error,
        updated_at=_now,
        finished_at=case(
            (_status_rows.c.final & _analyses.c.timed_out_at.is_not(None), _now),
            (_status_rows.c.final, func.coalesce(_analyses.c.finished_at, _now)),
            else_=None,
        ),
        timed_out_at=None,
    )
)


async def save_statuses(
    session: AsyncSession, statuses: dict[uuid.UUID, JobStatus], now: datetime
) -> None:
    """Save each analysis' status (by analysis id): once, whatever the number
    of jobs that share it. A timed-out analysis given a (final) status is one
    a late report completed: it is no longer timed out, and finished now."""
    if not statuses:
        return
    await session.execute(
        _SAVE_STATUSES,
        {
            "analysis_id_array": list(statuses),
            "state_array": [s.state for s in statuses.values()],
            "progress_array": [s.progress for s in statuses.values()],
            "current_step_array": [s.current_step for s in statuses.values()],
            "error_array": [s.error for s in statuses.values()],
            "final_array": [s.final for s in statuses.values()],
            "now": now,
        },
    )


async def save_places_found(session: AsyncSession, analysis_id: uuid.UUID, count: int) -> None:
    await session.execute(
        update(Analysis).where(Analysis.id == analysis_id).values(places_found=count)
    )


async def mark_timed_out(
    session: AsyncSession, analysis_ids: Sequence[uuid.UUID], now: datetime
) -> None:
    """Mark analyses ended by the gateway: their later reports change their status once final."""
    await session.execute(
        update(Analysis).where(Analysis.id.in_(analysis_ids)).values(timed_out_at=now)
    )


async def silent_analyses(session: AsyncSession, silent_since: datetime, limit: int) -> list[Lead]:
    """Analyses still in flight with no report since ``silent_since``, locked
    (skipping those another instance's sweeper holds)."""
    analyses = await session.scalars(
        select(Analysis)
        .where(Analysis.state.in_(("queued", "running")), Analysis.updated_at < silent_since)
        .order_by(Analysis.updated_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_lead_of(analysis) for analysis in analyses]


async def in_flight(session: AsyncSession, video_ids: Sequence[str]) -> list[Lead]:
    """The analyses of ``video_ids`` in flight, locked."""
    analyses = await session.scalars(
        select(Analysis)
        .where(Analysis.video_id.in_(video_ids), Analysis.state.in_(("queued", "running")))
        .order_by(Analysis.id)
        .with_for_update(key_share=True)
    )
    return [_lead_of(analysis) for analysis in analyses]


def _lead_of(analysis: Analysis) -> Lead:
    return Lead(
        analysis.id, analysis.video_id, analysis.timed_out_at is not None, analysis.places_found
    )


async def stages_of(
    session: AsyncSession, analysis_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[StageName, StageSnapshot]]:
    """The stages stored for each analysis (read after locking it)."""
    stages: dict[uuid.UUID, dict[StageName, StageSnapshot]] = {a: {} for a in analysis_ids}
    if stages:
        stored = await session.execute(_STAGES_OF, {"analysis_ids": list(stages)})
        for lead_id, stage, state, progress, reason, error_code, retryable, at in stored:
            stages[lead_id][stage] = StageSnapshot(
                cast(StageStatus, state), progress, reason, error_code, retryable, at
            )
    return stages


_announced = unnest({"analysis_id": Text()})
_ANNOUNCE = select(func.pg_notify(JOBS_CHANNEL, _announced.c.analysis_id))


async def announce(session: AsyncSession, analysis_ids: Iterable[uuid.UUID]) -> None:
    """NOTIFY each analysis' change to every instance (delivered on commit);
    listeners re-read it after this transaction commits."""
    await session.execute(_ANNOUNCE, {"analysis_id": [str(a) for a in analysis_ids]})
