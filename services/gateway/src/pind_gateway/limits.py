"""Submission rate limits: fixed windows counted in PostgreSQL, so every
gateway instance enforces the same budget. Guests (keyed by address) get a
smaller budget than signed-in users (keyed by user id)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway import repository as repo
from pind_gateway.errors import RateLimited
from pind_gateway.service import Requester

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Quotas:
    window_s: int
    guest: int
    user: int


def window_of(now: datetime, window_s: int) -> datetime:
    """The start of the fixed window ``now`` falls in."""
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_s, tz=UTC)


async def charge_submission(
    sessionmaker: async_sessionmaker[AsyncSession],
    quotas: Quotas,
    requester: Requester,
    address: str | None,
    now: datetime | None = None,
) -> None:
    """Count one submission; :class:`RateLimited` (429, Retry-After) past the budget.

    Counted in its own transaction, so refused and failed submissions count too."""
    now = now or datetime.now(UTC)
    guest = requester.user_id is None
    key = f"ip:{address or 'unknown'}" if guest else f"user:{requester.user_id}"
    limit = quotas.guest if guest else quotas.user
    start = window_of(now, quotas.window_s)
    async with sessionmaker() as session, session.begin():
        hits = await repo.count_hit(session, key, start)
    if hits > limit:
        retry_after = max(
            1, math.ceil((start + timedelta(seconds=quotas.window_s) - now).total_seconds())
        )
        log.info("submission rate-limited", key=key, hits=hits, limit=limit)
        raise RateLimited(limit, quotas.window_s, retry_after, guest)


MAX_WINDOW_S = 86_400
"""The longest window a setting may ask for (``PIND_RATE_WINDOW_S``)."""


async def forget_old_windows(session: AsyncSession, now: datetime) -> int:
    """Delete counters of windows that ended. Instances may be configured with
    different windows, so only windows older than the longest allowed one go."""
    return await repo.forget_windows(session, now - timedelta(seconds=MAX_WINDOW_S))
