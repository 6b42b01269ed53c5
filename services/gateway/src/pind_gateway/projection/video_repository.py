"""The projection's writes to the videos and places: ingest's description of
each video, geo's places, and the video locks that come first in the
gateway's one lock order. Callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pind_gateway.core.models import Place, Video, VideoPlace


async def ensure_video(session: AsyncSession, video_id: str, url: str) -> None:
    await session.execute(insert(Video).values(video_id=video_id, url=url).on_conflict_do_nothing())


async def lock_videos(session: AsyncSession, video_ids: Iterable[str]) -> dict[str, Video]:
    """The video rows, locked in id order in one statement (the gateway's one
    lock order: videos by id, then analyses by id)."""
    wanted = set(video_ids)
    videos = await session.scalars(
        select(Video)
        .where(Video.video_id.in_(wanted))
        .order_by(Video.video_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if missing := wanted - (locked := {video.video_id: video for video in videos}).keys():
        raise LookupError(f"videos {sorted(missing)} vanished inside their transaction")
    return locked


async def save_video_metadata(
    session: AsyncSession, video_id: str, values: dict[str, Any], reported_at: datetime
) -> bool:
    """Store ingest's description unless a later one is stored already."""
    result = await session.execute(
        update(Video)
        .where(
            Video.video_id == video_id,
            (Video.metadata_at.is_(None)) | (Video.metadata_at <= reported_at),
        )
        .values(**values, metadata_at=reported_at, updated_at=reported_at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def upsert_place(session: AsyncSession, values: dict[str, Any]) -> int:
    """The id of the place with ``values['key']``, inserted or refreshed."""
    statement = insert(Place).values(**values)
    refreshed = ("name", "name_en", "category", "lat", "lon", "address", "geocoder", "updated_at")
    upsert = statement.on_conflict_do_update(
        index_elements=[Place.key],
        set_={column: statement.excluded[column] for column in refreshed},
    ).returning(Place.id)
    place_id: int | None = await session.scalar(upsert)
    if place_id is None:
        raise LookupError(f"upsert of place {values['key']!r} returned no id")
    return place_id


async def replace_video_places(
    session: AsyncSession, video_id: str, rows: Sequence[dict[str, Any]]
) -> None:
    await session.execute(delete(VideoPlace).where(VideoPlace.video_id == video_id))
    if rows:
        await session.execute(
            insert(VideoPlace).values([{**r, "video_id": video_id} for r in rows])
        )


async def save_places_result(
    session: AsyncSession,
    video_id: str,
    *,
    job_id: uuid.UUID,
    reported_at: datetime,
    unresolved: list[dict[str, Any]],
) -> None:
    await session.execute(
        update(Video)
        .where(Video.video_id == video_id)
        .values(
            places_job_id=job_id,
            places_at=reported_at,
            unresolved=unresolved,
            updated_at=reported_at,
        )
    )


async def described(session: AsyncSession, video_ids: Iterable[str]) -> set[str]:
    """Those of ``video_ids`` whose description (ingest's report) is stored:
    read after locking their analyses, like their stages."""
    wanted = set(video_ids)
    if not wanted:
        return set()
    rows = await session.scalars(
        select(Video.video_id).where(Video.video_id.in_(wanted), Video.metadata_at.is_not(None))
    )
    return set(rows)
