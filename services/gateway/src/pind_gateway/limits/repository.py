"""The SQL of the rate limits: counters per caller key and fixed window."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, func, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pind_gateway.core.models import RateLimit
from pind_gateway.core.sql import types_of, unnest


async def count_hits(
    session: AsyncSession, requests: Mapping[str, int], window_start: datetime
) -> dict[str, int]:
    """Count ``requests[key]`` more requests of each key in the window starting
    at ``window_start``, in one statement (keys in order, so concurrent counts
    never deadlock); the number counted there so far per key, these included.

    The count's commit does not wait for the WAL to reach the disk
    (``synchronous_commit`` off for this transaction only): a caller's counter
    row stays locked from the update to the commit, so waiting for a disk flush
    would let one busy caller's requests count only one flush at a time. A
    crash may forget the last fraction of a second of counts; a rate limit can
    afford that."""
    keys = sorted(requests)
    rows = await session.execute(
        _COUNT_HITS,
        {
            "key": keys,
            "hits": [requests[key] for key in keys],
            "window_start": window_start,
        },
    )
    counts: dict[str, int] = {key: hits for key, hits in rows}
    if counts.keys() != requests.keys():
        raise LookupError(f"rate-limit upsert of {keys!r} returned {sorted(counts)!r}")
    return counts


_RATE_LIMITS = cast(Table, RateLimit.__table__)
_RELAXED = select(func.set_config("synchronous_commit", "off", True)).subquery()
_COUNTED = select(*unnest(types_of(_RATE_LIMITS, "key", "hits")).c).subquery()
_COUNT = insert(_RATE_LIMITS).from_select(
    ["key", "window_start", "hits"],
    select(
        _COUNTED.c.key,
        bindparam("window_start", type_=_RATE_LIMITS.c.window_start.type),
        _COUNTED.c.hits,
    )
    .select_from(_RELAXED)
    .join(_COUNTED, true())
    .order_by(_COUNTED.c.key),
)
_COUNT_HITS = _COUNT.on_conflict_do_update(
    index_elements=[_RATE_LIMITS.c.key, _RATE_LIMITS.c.window_start],
    set_={"hits": _RATE_LIMITS.c.hits + _COUNT.excluded.hits},
).returning(_RATE_LIMITS.c.key, _RATE_LIMITS.c.hits)


async def forget_windows(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(RateLimit).where(RateLimit.window_start < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
