"""The deny list's feed: a consumer of ``pind.user.v1`` (its own consumer
group, apart from the projection's) that writes what each event revokes into
``gateway.token_denials`` and announces each row to every gateway process
(:mod:`pind_gateway.auth.denials`) in the same transaction; and, beside it, a
sweeper that erases a deleted user's history rows written after the deletion
(by requests whose token was checked before the deny list knew) and forgets
rows no token can outlive.

``sessions_revoked`` denies each listed session, and with ``not_before`` the
user's tokens issued before it; ``deleted`` denies every token of the user
and erases their history at once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog
from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pind_contracts import USER, UserChanged
from pind_gateway.auth.denials import DENIALS_CHANNEL, EVERY_SESSION, KEEP, Denial
from pind_gateway.core.models import TokenDenial, UserHistory
from pind_gateway.history import service as history
from pind_kit.consume import Batch, Worker
from pind_kit.faults import is_infrastructure_error

log = structlog.get_logger(__name__)

ERASE_INTERVAL_S = 2.0


def denials_of(change: UserChanged) -> list[Denial]:
    """The deny-list rows an event asks for (none for a registration)."""
    forget_after = change.at + KEEP
    if change.kind == "deleted":
        return [Denial(change.user_id, EVERY_SESSION, None, forget_after)]
    if change.kind != "sessions_revoked":
        return []
    denials = [Denial(change.user_id, s, None, forget_after) for s in change.session_ids]
    if change.not_before is not None:
        denials.append(Denial(change.user_id, EVERY_SESSION, change.not_before, forget_after))
    return denials


async def save(session: AsyncSession, denials: list[Denial]) -> None:
    """Write the rows (merged with any already there: the earlier-issued
    tokens are still refused) and announce them once the transaction commits."""
    if not denials:
        return
    statement = insert(TokenDenial)
    table = TokenDenial.__table__.c
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[TokenDenial.user_id, TokenDenial.session_id],
            set_={
                # NULL (every token) wins; else the later of the two.
                "not_before": case(
                    (table.not_before.is_(None) | excluded.not_before.is_(None), None),
                    else_=func.greatest(table.not_before, excluded.not_before),
                ),
                "forget_after": func.greatest(table.forget_after, excluded.forget_after),
            },
        ),
        [
            {
                "user_id": d.user_id,
                "session_id": d.session_id,
                "not_before": d.not_before,
                "forget_after": d.forget_after,
            }
            for d in denials
        ],
    )
    for denial in denials:
        await session.execute(select(func.pg_notify(DENIALS_CHANNEL, denial.announcement())))


def register_revocations(
    worker: Worker,
    group: str,
    *,
    erase_interval_s: float = ERASE_INTERVAL_S,
) -> None:
    """Consume ``pind.user.v1`` into the deny list in consumer group ``group``,
    and sweep late history of deleted users every ``erase_interval_s``."""

    @worker.batch_handler(USER, group=group)
    async def on_users(batch: Batch[UserChanged]) -> None:
        now = datetime.now(UTC)
        for event in batch.events:
            change = event.payload
            denials = [d for d in denials_of(change) if d.forget_after > now]
            await save(batch.session, denials)
            if change.kind == "deleted":
                erased = await history.forget_user(batch.session, change.user_id)
                log.info("deleted user's tokens denied", user_id=str(change.user_id), erased=erased)
            elif denials:
                log.info("revoked tokens denied", user_id=str(change.user_id), entries=len(denials))

    @worker.background
    async def erase_late_writes() -> None:
        while True:
            try:
                async with worker.sessionmaker() as session, session.begin():
                    erased, forgotten = await sweep(session)
                if erased or forgotten:
                    log.info("deny-list sweep", late_history_erased=erased, forgotten=forgotten)
            except Exception as exc:
                if not is_infrastructure_error(exc):
                    log.exception("deny-list sweep failed; will try again")
            await asyncio.sleep(erase_interval_s)


async def sweep(session: AsyncSession) -> tuple[int, int]:
    """Erase history rows of users whose account is deleted (written after the
    deletion: the deletion erased the rest), and forget expired rows; how many
    of each."""
    deleted_users = select(TokenDenial.user_id).where(
        TokenDenial.session_id == EVERY_SESSION,
        TokenDenial.not_before.is_(None),
        TokenDenial.forget_after > func.now(),
    )
    erased = await session.execute(
        delete(UserHistory).where(UserHistory.user_id.in_(deleted_users))
    )
    forgotten = await session.execute(
        delete(TokenDenial).where(TokenDenial.forget_after <= func.now())
    )
    return int(erased.rowcount), int(forgotten.rowcount)  # type: ignore[attr-defined]
