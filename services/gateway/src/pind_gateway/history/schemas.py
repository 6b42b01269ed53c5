"""A signed-in user's history, a page at a time."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from pind_gateway.core.errors import InvalidCursor
from pind_gateway.core.models import UserHistory
from pind_gateway.history.service import HistoryEntry


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


def history_item(entry: HistoryEntry) -> HistoryItem:
    row = entry.row
    return HistoryItem(
        video_id=row.video_id,
        job_id=row.job_id,
        title=row.video.title,
        thumbnail_url=row.video.thumbnail_url,
        url=row.video.url,
        requested_at=row.created_at,
        places_count=len(entry.places),
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
