"""The SQL of users' history. Callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete as sql_delete
from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from pind_gateway.core.models import UserHistory, VideoPlace


async def record(
    session: AsyncSession, requests: Sequence[tuple[uuid.UUID, str, uuid.UUID, datetime]]
) -> None:
    """Put each (user id, video id, job id, time) first in the user's history;
    a later request for the same user and video wins."""
    if not requests:
        return
    statement = insert(UserHistory)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[UserHistory.user_id, UserHistory.video_id],
            set_={"job_id": statement.excluded.job_id, "created_at": statement.excluded.created_at},
        ),
        [
            {"user_id": user_id, "video_id": video_id, "job_id": job_id, "created_at": at}
            for user_id, video_id, job_id, at in requests
        ],
    )


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    limit: int,
    before: tuple[datetime, int] | None = None,
) -> Sequence[UserHistory]:
    """A user's history, newest first, with the videos loaded."""
    query = (
        select(UserHistory)
        .where(UserHistory.user_id == user_id)
        .options(joinedload(UserHistory.video))
        .order_by(UserHistory.created_at.desc(), UserHistory.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(tuple_(UserHistory.created_at, UserHistory.id) < tuple_(*before))
    return (await session.scalars(query)).all()


async def places_of_videos(
    session: AsyncSession, video_ids: Sequence[str]
) -> dict[str, list[VideoPlace]]:
    rows = await session.scalars(
        select(VideoPlace)
        .where(VideoPlace.video_id.in_(video_ids))
        .options(joinedload(VideoPlace.place))
        .order_by(VideoPlace.video_id, VideoPlace.rank)
    )
    found: dict[str, list[VideoPlace]] = {video_id: [] for video_id in video_ids}
    for row in rows:
        found[row.video_id].append(row)
    return found


async def delete(session: AsyncSession, user_id: uuid.UUID, video_id: str | None = None) -> int:
    """Remove one video (or, with ``video_id`` None, everything) from a user's history."""
    statement = sql_delete(UserHistory).where(UserHistory.user_id == user_id)
    if video_id is not None:
        statement = statement.where(UserHistory.video_id == video_id)
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]
