"""A user's history: recorded when they submit a link, read a page at a time
with each video's places, forgotten on request or when the account goes.
Callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pind_gateway.core.errors import NotInHistory
from pind_gateway.core.models import UserHistory, VideoPlace
from pind_gateway.history import repository as repo


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One video of a user's history, with the places it shows."""

    row: UserHistory
    places: list[VideoPlace]


async def record(
    session: AsyncSession, requests: Sequence[tuple[uuid.UUID, str, uuid.UUID, datetime]]
) -> None:
    """Put each (user id, video id, job id, time) first in the user's history."""
    await repo.record(session, requests)


async def entries(
    session: AsyncSession,
    user_id: uuid.UUID,
    limit: int,
    before: tuple[datetime, int] | None = None,
) -> list[HistoryEntry]:
    """Up to ``limit`` entries of the user's history, newest first (before
    ``before``: a (time, row id) cursor), each with its video's places."""
    rows = await repo.page(session, user_id, limit, before)
    places = await repo.places_of_videos(session, [row.video_id for row in rows])
    return [HistoryEntry(row, places[row.video_id]) for row in rows]


async def forget_video(session: AsyncSession, user_id: uuid.UUID, video_id: str) -> None:
    """Remove one video from the user's history; :class:`NotInHistory` if it is not there."""
    if not await repo.delete(session, user_id, video_id):
        raise NotInHistory(video_id)


async def forget_user(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Remove the user's whole history; how many entries there were."""
    return await repo.delete(session, user_id)
