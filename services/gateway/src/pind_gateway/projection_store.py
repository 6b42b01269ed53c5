"""The statements the projection runs once per batch, whatever its size.

Rows travel as one array parameter per column (``unnest``), so each statement
has one shape and is built, compiled and prepared once. Callers own the
transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    Integer,
    Table,
    TableValuedAlias,
    Text,
    Uuid,
    any_,
    bindparam,
    case,
    column,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from pind_gateway.domain.progress import JobStatus, StageName, StageSnapshot, StageStatus
from pind_gateway.models import Job, JobStage
from pind_gateway.repository import JOBS_CHANNEL


@dataclass(frozen=True, slots=True)
class Lead:
    """The lead job of an analysis, as folding its reports needs it."""

    id: uuid.UUID
    timed_out: bool
    places_found: int | None


def _unnest(**columns: TypeEngine[Any]) -> TableValuedAlias:
    """``unnest(:a_array, :b_array, ...) AS (a, b, ...)``: rows from one array
    parameter per column."""
    return (
        func.unnest(
            *(bindparam(f"{name}_array", type_=ARRAY(kind)) for name, kind in columns.items())
        )
        .table_valued(*(column(name, kind) for name, kind in columns.items()))
        .render_derived()
    )


# Core tables, not ORM entities: these statements touch no objects in the session.
_jobs = cast(Table, Job.__table__)
_lead = _jobs.alias("lead")
_stages = cast(Table, JobStage.__table__)

_LOCK_LEADS = (
    select(_jobs.c.id, _lead.c.id, _lead.c.timed_out_at, _lead.c.places_found)
    .join_from(_jobs, _lead, _lead.c.id == _jobs.c.analysis_id)
    .where(_jobs.c.id == any_(bindparam("job_ids", type_=ARRAY(Uuid()))))
    .order_by(_lead.c.id)
    .with_for_update(key_share=True, of=_lead)
)
_STAGES_OF = select(
    _stages.c.job_id,
    _stages.c.stage,
    _stages.c.state,
    _stages.c.progress,
    _stages.c.reason,
    _stages.c.error_code,
    _stages.c.retryable,
    _stages.c.reported_at,
).where(_stages.c.job_id == any_(bindparam("lead_ids", type_=ARRAY(Uuid()))))


async def lock_analyses(
    session: AsyncSession, job_ids: Iterable[uuid.UUID]
) -> tuple[dict[uuid.UUID, Lead], dict[uuid.UUID, dict[StageName, StageSnapshot]]]:
    """The lead of each known job's analysis, locked (FOR NO KEY UPDATE) in id
    order so that two batches never wait on each other in a cycle, and the
    stages stored for each analysis.

    The stages are read by a second statement, after the locks are held: a
    statement that waited for a lock sees the locked rows as they are now
    but every other row as it was when the statement began (READ COMMITTED),
    so stages read together with the locks could miss what the transaction
    holding them wrote, and a status derived from them could go backwards."""
    rows = await session.execute(_LOCK_LEADS, {"job_ids": list(job_ids)})
    leads = {
        job_id: Lead(lead_id, timed_out_at is not None, places_found)
        for job_id, lead_id, timed_out_at, places_found in rows
    }
    stages: dict[uuid.UUID, dict[StageName, StageSnapshot]] = {
        lead.id: {} for lead in leads.values()
    }
    if stages:
        stored = await session.execute(_STAGES_OF, {"lead_ids": list(stages)})
        for lead_id, stage, state, progress, reason, error_code, retryable, at in stored:
            stages[lead_id][stage] = StageSnapshot(
                cast(StageStatus, state), progress, reason, error_code, retryable, at
            )
    return leads, stages


_stage_rows = _unnest(
    job_id=Uuid(),
    stage=Text(),
    state=Text(),
    progress=Float(),
    reason=Text(),
    error_code=Text(),
    retryable=Boolean(),
    reported_at=DateTime(timezone=True),
)
_stage_upsert = insert(_stages).from_select(
    [*_stage_rows.c.keys(), "updated_at"],
    select(*_stage_rows.c, bindparam("now", type_=DateTime(timezone=True))),
)
_SAVE_STAGES = _stage_upsert.on_conflict_do_update(
    index_elements=[_stages.c.job_id, _stages.c.stage],
    set_={
        name: _stage_upsert.excluded[name]
        for name in (*_stage_rows.c.keys(), "updated_at")
        if name not in ("job_id", "stage")
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
            "job_id_array": [analysis_id for analysis_id, _, _ in changed],
            "stage_array": [stage for _, stage, _ in changed],
            "state_array": [s.status for _, _, s in changed],
            "progress_array": [s.progress for _, _, s in changed],
            "reason_array": [s.reason for _, _, s in changed],
            "error_code_array": [s.error_code for _, _, s in changed],
            "retryable_array": [s.retryable for _, _, s in changed],
            "reported_at_array": [s.reported_at for _, _, s in changed],
            "now": now,
        },
    )


_status_rows = _unnest(
    analysis_id=Uuid(),
    state=Text(),
    progress=Integer(),
    current_step=Text(),
    error=Text(),
    final=Boolean(),
)
_now = bindparam("now", type_=DateTime(timezone=True))
_SAVE_STATUSES = (
    update(_jobs)
    .where(_jobs.c.analysis_id == _status_rows.c.analysis_id)
    .values(
        state=_status_rows.c.state,
        progress=_status_rows.c.progress,
        current_step=_status_rows.c.current_step,
        error=_status_rows.c.error,
        updated_at=_now,
        finished_at=case(
            (_status_rows.c.final, func.coalesce(_jobs.c.finished_at, _now)), else_=None
        ),
    )
)


async def save_statuses(
    session: AsyncSession, statuses: dict[uuid.UUID, JobStatus], now: datetime
) -> None:
    """Copy each analysis' status to every job that shares it."""
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


_announced = _unnest(analysis_id=Text())
_ANNOUNCE = select(func.pg_notify(JOBS_CHANNEL, _announced.c.analysis_id))


async def announce(session: AsyncSession, analysis_ids: Iterable[uuid.UUID]) -> None:
    """NOTIFY each analysis' change to every instance (delivered on commit)."""
    await session.execute(_ANNOUNCE, {"analysis_id_array": [str(a) for a in analysis_ids]})
