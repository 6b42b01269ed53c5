"""All SQL of the geo service: analyses and the inputs gathered for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pind_geo.domain.model import InputKind
from pind_geo.models import analyses, analysis_inputs, geocode_cache

GATHERING = "gathering"
EXTRACTED = "extracted"
FAILED = "failed"
RECEIVED = "received"


@dataclass(frozen=True, slots=True)
class Analysis:
    job_id: UUID
    video_id: str
    expected: tuple[InputKind, ...]
    state: str
    correlation_id: str | None
    traceparent: str | None


@dataclass(frozen=True, slots=True)
class GatheredInput:
    kind: InputKind
    status: str
    """``received``, or the stage's ``failed`` / ``skipped``."""
    payload: dict[str, Any] | None
    reason: str | None


async def open_analysis(
    session: AsyncSession,
    *,
    job_id: UUID,
    video_id: str,
    expected: tuple[InputKind, ...],
    deadline_s: float,
    correlation_id: str | None,
    traceparent: str | None,
) -> tuple[Analysis, bool]:
    """The analysis of ``job_id``, created if new, locked for this transaction
    (FOR UPDATE): concurrent inputs and the sweeper take turns on it.
    Returns it and whether this call created it."""
    created = await session.execute(
        insert(analyses)
        .values(
            job_id=job_id,
            video_id=video_id,
            expected=list(expected),
            deadline=func.now() + timedelta(seconds=deadline_s),
            correlation_id=correlation_id,
            traceparent=traceparent,
        )
        .on_conflict_do_nothing(index_elements=[analyses.c.job_id])
        .returning(analyses.c.job_id)
    )
    is_new = created.first() is not None
    analysis = await lock_analysis(session, job_id)
    assert analysis is not None  # inserted above or by a transaction that committed
    return analysis, is_new


async def lock_analysis(session: AsyncSession, job_id: UUID) -> Analysis | None:
    row = (
        await session.execute(select(analyses).where(analyses.c.job_id == job_id).with_for_update())
    ).first()
    return _analysis(row) if row is not None else None


async def lock_next_due(session: AsyncSession) -> Analysis | None:
    """One analysis still gathering past its deadline, locked; analyses
    another transaction holds are skipped (SKIP LOCKED), not waited for."""
    row = (
        await session.execute(
            select(analyses)
            .where(analyses.c.state == GATHERING, analyses.c.deadline <= func.now())
            .order_by(analyses.c.deadline)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).first()
    return _analysis(row) if row is not None else None


async def record_input(
    session: AsyncSession,
    *,
    job_id: UUID,
    kind: InputKind,
    status: str,
    event_id: UUID,
    payload: dict[str, Any] | None = None,
    reason: str | None = None,
) -> bool:
    """Store an input (or why it will not come). A received input replaces a
    failure report; nothing replaces a received input. True if stored."""
    statement = insert(analysis_inputs).values(
        job_id=job_id, kind=kind, status=status, payload=payload, reason=reason, event_id=event_id
    )
    if status == RECEIVED:
        statement = statement.on_conflict_do_update(
            index_elements=[analysis_inputs.c.job_id, analysis_inputs.c.kind],
            set_={"status": status, "payload": payload, "reason": None, "event_id": event_id},
            where=analysis_inputs.c.status != RECEIVED,
        )
    else:
        statement = statement.on_conflict_do_nothing()
    result = await session.execute(statement.returning(analysis_inputs.c.kind))
    return result.first() is not None


async def inputs_of(session: AsyncSession, job_id: UUID) -> list[GatheredInput]:
    rows = await session.execute(
        select(
            analysis_inputs.c.kind,
            analysis_inputs.c.status,
            analysis_inputs.c.payload,
            analysis_inputs.c.reason,
        ).where(analysis_inputs.c.job_id == job_id)
    )
    return [GatheredInput(r.kind, r.status, r.payload, r.reason) for r in rows]


async def finish(session: AsyncSession, job_id: UUID, *, state: str, trigger: str) -> None:
    await session.execute(
        update(analyses)
        .where(analyses.c.job_id == job_id)
        .values(state=state, trigger=trigger, finished_at=func.now())
    )


def _analysis(row: Any) -> Analysis:
    return Analysis(
        job_id=row.job_id,
        video_id=row.video_id,
        expected=tuple(row.expected),
        state=row.state,
        correlation_id=row.correlation_id,
        traceparent=row.traceparent,
    )


# ----------------------------------------------------------- geocode cache


async def cached_answer(
    session: AsyncSession, geocoder: str, query_key: str
) -> list[dict[str, Any]] | None:
    """The unexpired cached answer (possibly []), or None when there is none."""
    row = await session.execute(
        select(geocode_cache.c.results).where(
            geocode_cache.c.geocoder == geocoder,
            geocode_cache.c.query_key == query_key,
            geocode_cache.c.expires_at > func.now(),
        )
    )
    results = row.scalar_one_or_none()
    return list(results) if results is not None else None


async def cache_answer(
    session: AsyncSession,
    geocoder: str,
    query_key: str,
    results: list[dict[str, Any]],
    ttl: timedelta,
) -> None:
    statement = insert(geocode_cache).values(
        geocoder=geocoder,
        query_key=query_key,
        results=results,
        expires_at=func.now() + ttl,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[geocode_cache.c.geocoder, geocode_cache.c.query_key],
            set_={
                "results": statement.excluded.results,
                "created_at": func.now(),
                "expires_at": statement.excluded.expires_at,
            },
        )
    )


async def purge_expired_answers(session: AsyncSession) -> int:
    result = await session.execute(
        delete(geocode_cache).where(geocode_cache.c.expires_at <= func.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)
