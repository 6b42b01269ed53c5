"""Folding the analysis events into the gateway's tables.

Every function here is idempotent and order-tolerant: stage reports fold
through :func:`fold_stage` (never backwards), video metadata and places are
upserted by natural keys and only replaced by a later report. Each returns
the analysis it touched so the caller can wake waiting requests after commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from pind_contracts import Envelope, JobStage, Place, PlacesExtracted, UserChanged, VideoIngested
from pind_contracts.events.video_ingested import Thumbnail
from pind_gateway import repository as repo
from pind_gateway.domain.progress import (
    StageReport,
    StageSnapshot,
    derive_job_status,
    fold_stage,
)
from pind_gateway.domain.video_url import canonical_url, parse_video_id
from pind_gateway.models import Job
from pind_gateway.service import snapshot_of

log = structlog.get_logger(__name__)


async def project_stage(
    session: AsyncSession, report: JobStage, envelope: Envelope
) -> uuid.UUID | None:
    lead = await _lock_lead(session, report.job_id)
    if lead is None:
        return None
    now = datetime.now(UTC)
    rows = await repo.stages_of(session, lead.id)
    snapshots = {name: snapshot_of(row) for name, row in rows.items()}
    current = snapshots.get(report.stage, StageSnapshot())
    folded = fold_stage(
        current,
        StageReport(
            state=report.state,
            progress=report.progress,
            occurred_at=envelope.occurred_at,
            reason=report.reason,
            error_code=report.error_code,
            retryable=report.retryable,
        ),
    )
    if folded != current or report.stage not in rows:
        await repo.save_stage(session, lead.id, report.stage, folded, now)
        snapshots[report.stage] = folded
    if lead.timed_out_at is not None:
        await repo.announce(session, lead.id)
        log.info("report of a timed-out analysis stored; job stays failed", stage=report.stage)
        return lead.id
    status = derive_job_status(snapshots, lead.places_found)
    await repo.save_analysis_status(session, lead.id, status, now)
    log.info(
        "stage projected",
        stage=report.stage,
        reported=report.state,
        stage_state=folded.status,
        job_state=status.state,
    )
    return lead.id


async def project_ingested(
    session: AsyncSession, ingested: VideoIngested, envelope: Envelope
) -> uuid.UUID | None:
    meta = ingested.metadata
    await repo.ensure_video(
        session, ingested.video_id, canonical_url(parse_video_id(ingested.video_id))
    )
    thumbnail = best_thumbnail(meta.thumbnails)
    stored = await repo.save_video_metadata(
        session,
        ingested.video_id,
        {
            "title": meta.title,
            "thumbnail_url": thumbnail.url if thumbnail else None,
            "duration_s": meta.duration_s,
            "channel": meta.channel,
            "video_metadata": meta.model_dump(mode="json"),
        },
        envelope.occurred_at,
    )
    log.info("video metadata projected", video_id=ingested.video_id, stored=stored)
    lead = await repo.get_job(session, ingested.job_id)
    if lead is None:
        return None
    await repo.announce(session, lead.analysis_id)
    return lead.analysis_id


def best_thumbnail(thumbnails: Iterable[Thumbnail]) -> Thumbnail | None:
    """The largest thumbnail with known size, else the last listed (yt-dlp
    lists them from worst to best)."""
    listed = list(thumbnails)
    sized = [t for t in listed if t.width and t.height]
    if sized:
        return max(sized, key=lambda t: (t.width or 0) * (t.height or 0))
    return listed[-1] if listed else None


async def project_places(
    session: AsyncSession, result: PlacesExtracted, envelope: Envelope
) -> uuid.UUID | None:
    video_id = result.video_id
    await repo.ensure_video(session, video_id, canonical_url(parse_video_id(video_id)))
    video = await repo.lock_video(session, video_id)
    if video.places_at is None or envelope.occurred_at >= video.places_at:
        rows = await _video_place_rows(session, result)
        await repo.replace_video_places(session, video_id, rows)
        await repo.save_places_result(
            session,
            video_id,
            job_id=result.job_id,
            reported_at=envelope.occurred_at,
            unresolved=[u.model_dump(mode="json") for u in result.unresolved],
        )
    else:
        log.info("older places result ignored", video_id=video_id)

    lead = await _lock_lead(session, result.job_id)
    if lead is None:
        return None
    if lead.timed_out_at is not None:
        await repo.announce(session, lead.id)
        log.info("places of a timed-out analysis stored; job stays failed")
        return lead.id
    rows_by_stage = await repo.stages_of(session, lead.id)
    snapshots = {name: snapshot_of(row) for name, row in rows_by_stage.items()}
    status = derive_job_status(snapshots, len(result.places))
    await repo.save_analysis_status(
        session, lead.id, status, datetime.now(UTC), places_found=len(result.places)
    )
    log.info("places projected", places=len(result.places), job_state=status.state)
    return lead.id


async def _video_place_rows(session: AsyncSession, result: PlacesExtracted) -> list[dict[str, Any]]:
    """One row per real place; a place listed twice keeps its best confidence
    and the evidence of both."""
    by_place: dict[int, dict[str, Any]] = {}
    for rank, place in enumerate(result.places):
        place_id = await repo.upsert_place(session, _place_values(place))
        evidence = [e.model_dump(mode="json") for e in place.evidence]
        row = by_place.get(place_id)
        if row is None:
            by_place[place_id] = {
                "place_id": place_id,
                "rank": rank,
                "confidence": place.confidence,
                "evidence": evidence,
                "job_id": result.job_id,
            }
        else:
            row["confidence"] = max(row["confidence"], place.confidence)
            row["evidence"] += [e for e in evidence if e not in row["evidence"]]
    return list(by_place.values())


def _place_values(place: Place) -> dict[str, Any]:
    return {
        "key": place.key,
        "name": place.name,
        "name_en": place.name_en,
        "category": place.category,
        "lat": place.lat,
        "lon": place.lon,
        "address": place.address,
        "geocoder": place.geocoder,
        "updated_at": datetime.now(UTC),
    }


async def project_user(session: AsyncSession, change: UserChanged) -> None:
    if change.kind == "deleted":
        removed = await repo.forget_user(session, change.user_id)
        log.info("history of deleted user removed", user_id=str(change.user_id), rows=removed)


async def _lock_lead(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """The lead job of the analysis an event belongs to, locked."""
    job = await repo.lock_job(session, job_id)
    if job is None:
        log.warning("event for a job this gateway does not know; ignored", job_id=str(job_id))
        return None
    if job.analysis_id != job.id:
        return await repo.lock_job(session, job.analysis_id)
    return job
