"""A signed-in user's history: the modern paginated shape and the legacy one."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from pind_gateway.errors import InvalidCursor
from pind_gateway.legacy.schemas import LegacyPlace, legacy_places
from pind_gateway.models import UserHistory, VideoPlace


class HistoryItem(BaseModel):
    video_id: str
    job_id: uuid.UUID | None = Field(default=None, description="The job of the last request.")
    title: str | None = None
    thumbnail_url: str | None = None
    url: str
    requested_at: datetime
    places_count: int


class HistoryPage(BaseModel):
    items: list[HistoryItem] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null on the last one."
    )


class LegacyHistoryItem(BaseModel):
    id: str = Field(description="The YouTube video id.")
    title: str | None = None
    thumbnail_url: str | None = None
    created_at: datetime
    places: list[LegacyPlace]


def history_item(row: UserHistory, places: list[VideoPlace]) -> HistoryItem:
    return HistoryItem(
        video_id=row.video_id,
        job_id=row.job_id,
        title=row.video.title,
        thumbnail_url=row.video.thumbnail_url,
        url=row.video.url,
        requested_at=row.created_at,
        places_count=len(places),
    )


def legacy_history_item(row: UserHistory, places: list[VideoPlace]) -> LegacyHistoryItem:
    return LegacyHistoryItem(
        id=row.video_id,
        title=row.video.title,
        thumbnail_url=row.video.thumbnail_url,
        created_at=row.created_at,
        places=legacy_places(places),
    )


def encode_cursor(row: UserHistory) -> str:
    raw = f"{row.created_at.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, row_id = raw.partition("|")
        at = datetime.fromisoformat(when)
        if at.tzinfo is None:
            raise ValueError("naive time")
        return at, int(row_id)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidCursor() from exc
