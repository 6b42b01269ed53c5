"""Submission rate limits: fixed windows counted in PostgreSQL, so every
gateway instance enforces the same budget. Guests (keyed by address) get a
smaller budget than signed-in users (keyed by user id); an IPv6 guest is
keyed by its /64 (:func:`guest_network`)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway.core.errors import RateLimited
from pind_gateway.domain.requester import Requester
from pind_gateway.limits import repository as repo
from pind_kit.clients import client_key

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


@dataclass(frozen=True, slots=True)
class Submitter:
    """Who a submission is counted against: a signed-in user, else the address."""

    requester: Requester
    address: str | None

    @property
    def guest(self) -> bool:
        return self.requester.user_id is None

    @property
    def key(self) -> str:
        if self.guest:
            return f"ip:{guest_network(self.address)}"
        return f"user:{self.requester.user_id}"


def guest_network(address: str | None) -> str:
    """What a guest's budget is counted by (:func:`pind_kit.clients.client_key`:
    an IPv4 address, or an IPv6 address's /64)."""
    return client_key(address) if address else "unknown"


async def charge_submission(
    sessionmaker: async_sessionmaker[AsyncSession],
    quotas: Quotas,
    requester: Requester,
    address: str | None,
    now: datetime | None = None,
) -> None:
    """Count one submission; :class:`RateLimited` (429, Retry-After) past the budget.

    Counted in its own transaction, so refused and failed submissions count too."""
    async with sessionmaker() as session, session.begin():
        [refusal] = await charge_submissions(session, quotas, [Submitter(requester, address)], now)
    if refusal is not None:
        raise refusal


async def charge_submissions(
    session: AsyncSession,
    quotas: Quotas,
    submitters: Sequence[Submitter],
    now: datetime | None = None,
) -> list[RateLimited | None]:
    """Count one submission of each of ``submitters`` (one statement for all);
    per submission, None if it fits the budget, else its :class:`RateLimited`.

    Submissions are counted in order: of a key's submissions here, the first
    ones within what is left of its budget fit, the rest are refused (and
    counted all the same)."""
    now = now or datetime.now(UTC)
    start = window_of(now, quotas.window_s)
    asked = Counter(submitter.key for submitter in submitters)
    totals = await repo.count_hits(session, asked, start)
    retry_after = max(
        1, math.ceil((start + timedelta(seconds=quotas.window_s) - now).total_seconds())
    )
    seen: Counter[str] = Counter()
    verdicts: list[RateLimited | None] = []
    for submitter in submitters:
        key = submitter.key
        seen[key] += 1
        hits = totals[key] - asked[key] + seen[key]
        limit = quotas.guest if submitter.guest else quotas.user
        if hits <= limit:
            verdicts.append(None)
            continue
        log.info("submission rate-limited", key=key, hits=hits, limit=limit)
        verdicts.append(RateLimited(limit, quotas.window_s, retry_after, submitter.guest))
    return verdicts


MAX_WINDOW_S = 86_400
"""The longest window a setting may ask for (``PIND_RATE_WINDOW_S``)."""


async def forget_old_windows(session: AsyncSession, now: datetime) -> int:
    """Delete counters of windows that ended. Instances may be configured with
    different windows, so only windows older than the longest allowed one go."""
    return await repo.forget_windows(session, now - timedelta(seconds=MAX_WINDOW_S))
