"""Every SQL statement of the auth service. Times come from the caller's clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import case, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pind_auth.models import LoginThrottle, RefreshToken, ResetToken, User
from pind_contracts import USER, Envelope, UserChanged
from pind_kit.outbox import enqueue


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- users ---------------------------------------------------------------------------
    async def insert_user(
        self, user_id: UUID, email: str, email_key: str, password_hash: str, now: datetime
    ) -> bool:
        """Create the account; False (and nothing written) if the address is taken."""
        result = await self.session.execute(
            pg_insert(User)
            .values(
                id=user_id,
                email=email,
                email_key=email_key,
                password_hash=password_hash,
                created_at=now,
                password_changed_at=now,
            )
            .on_conflict_do_nothing(index_elements=[User.email_key])
            .returning(User.id)
        )
        return result.first() is not None

    async def user_by_email_key(self, email_key: str) -> User | None:
        found = await self.session.execute(select(User).where(User.email_key == email_key))
        return found.scalar_one_or_none()

    async def user_by_id(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        query = select(User).where(User.id == user_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def set_password_hash(
        self, user_id: UUID, password_hash: str, *, changed_at: datetime | None
    ) -> None:
        """Store a new hash; ``changed_at`` when the password itself changed
        (``None`` for a rehash of the same password with newer parameters)."""
        values: dict[str, object] = {"password_hash": password_hash}
        if changed_at is not None:
            values["password_changed_at"] = changed_at
        await self.session.execute(update(User).where(User.id == user_id).values(**values))

    async def rehash(self, user_id: UUID, new_hash: str, *, expected: str) -> None:
        """Replace a hash made with outdated parameters, unless the password
        changed since it was read."""
        await self.session.execute(
            update(User)
            .where(User.id == user_id, User.password_hash == expected)
            .values(password_hash=new_hash)
        )

    async def delete_user(self, user_id: UUID) -> bool:
        """Remove the account; its tokens go with it (ON DELETE CASCADE)."""
        result = await self.session.execute(
            delete(User).where(User.id == user_id).returning(User.id)
        )
        return result.first() is not None

    async def emit_user_changed(self, event: UserChanged, producer: str) -> None:
        subject = str(event.user_id)
        envelope = Envelope(
            type=USER.event_type, producer=producer, subject=subject, occurred_at=event.at
        )
        await enqueue(self.session, USER, event, envelope, key=subject)

    # --- refresh tokens ----------------------------------------------------------------
    async def add_refresh_token(self, token: RefreshToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def refresh_token_for_update(self, token_hash: bytes) -> RefreshToken | None:
        found = await self.session.execute(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        )
        return found.scalar_one_or_none()

    async def mark_rotated(self, token_id: UUID, now: datetime) -> None:
        await self.session.execute(
            update(RefreshToken).where(RefreshToken.id == token_id).values(rotated_at=now)
        )

    async def revoke_family(self, family_id: UUID, now: datetime) -> int:
        result = await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return result.rowcount  # type: ignore[attr-defined,no-any-return]

    async def revoke_sessions(
        self, user_id: UUID, now: datetime, *, keep_family: UUID | None = None
    ) -> list[UUID]:
        """Revoke every refresh token of the user, except one session's if asked;
        the sessions (families) that had a token revoked."""
        query = update(RefreshToken).where(
            RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
        )
        if keep_family is not None:
            query = query.where(RefreshToken.family_id != keep_family)
        result = await self.session.execute(
            query.values(revoked_at=now).returning(RefreshToken.family_id)
        )
        return sorted(set(result.scalars()))

    # --- reset tokens --------------------------------------------------------------------
    async def add_reset_token(self, token: ResetToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def reset_token_for_update(self, token_hash: bytes) -> ResetToken | None:
        found = await self.session.execute(
            select(ResetToken).where(ResetToken.token_hash == token_hash).with_for_update()
        )
        return found.scalar_one_or_none()

    async def reset_requested_since(self, user_id: UUID, since: datetime) -> bool:
        found = await self.session.execute(
            select(ResetToken.id)
            .where(ResetToken.user_id == user_id, ResetToken.created_at > since)
            .limit(1)
        )
        return found.first() is not None

    async def use_reset_tokens(self, user_id: UUID, now: datetime) -> None:
        """Spend every open reset token of the user (a newer one, or a reset, ends them)."""
        await self.session.execute(
            update(ResetToken)
            .where(ResetToken.user_id == user_id, ResetToken.used_at.is_(None))
            .values(used_at=now)
        )

    # --- throttling ------------------------------------------------------------------
    async def locked_until(self, keys: list[tuple[str, str]], now: datetime) -> datetime | None:
        """The latest lock among ``(scope, key)`` pairs still in force, if any."""
        found = await self.session.execute(
            select(func.max(LoginThrottle.locked_until)).where(
                tuple_(LoginThrottle.scope, LoginThrottle.key).in_(keys),
                LoginThrottle.locked_until > now,
            )
        )
        return found.scalar_one_or_none()

    async def count(
        self, scope: str, key: str, now: datetime, *, window: timedelta, sliding: bool
    ) -> tuple[int, datetime]:
        """Count one event (a failed login, a registration) for the key and
        return the count and when its window started. The count starts again
        once ``window`` passed since the window started or, when ``sliding``,
        since the last event. One atomic upsert, so instances racing on the
        same key count correctly."""
        table = LoginThrottle.__table__
        expired = table.c.window_started_at <= now - window
        statement = (
            pg_insert(LoginThrottle)
            .values(scope=scope, key=key, failures=1, window_started_at=now, locked_until=None)
            .on_conflict_do_update(
                index_elements=[LoginThrottle.scope, LoginThrottle.key],
                set_={
                    "failures": case((expired, 1), else_=table.c.failures + 1),
                    "window_started_at": now
                    if sliding
                    else case((expired, now), else_=table.c.window_started_at),
                    "locked_until": case((expired, None), else_=table.c.locked_until),
                },
            )
            .returning(LoginThrottle.failures, LoginThrottle.window_started_at)
        )
        failures, started = (await self.session.execute(statement)).one()
        return int(failures), started

    async def lock(self, scope: str, key: str, until: datetime) -> None:
        """Refuse the key until ``until`` (a lock already longer stays)."""
        await self.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.scope == scope, LoginThrottle.key == key)
            .values(locked_until=func.greatest(LoginThrottle.locked_until, until))
        )

    async def claim_once_per(
        self, scope: str, key: str, now: datetime, interval: timedelta
    ) -> bool:
        """True at most once per ``interval`` for the key (e.g. one mail per
        hour per account), however many instances ask at once."""
        table = LoginThrottle.__table__
        statement = (
            pg_insert(LoginThrottle)
            .values(
                scope=scope, key=key, failures=1, window_started_at=now, locked_until=now + interval
            )
            .on_conflict_do_update(
                index_elements=[LoginThrottle.scope, LoginThrottle.key],
                set_={
                    "failures": table.c.failures + 1,
                    "window_started_at": now,
                    "locked_until": now + interval,
                },
                where=(table.c.locked_until.is_(None)) | (table.c.locked_until <= now),
            )
            .returning(LoginThrottle.scope)
        )
        return (await self.session.execute(statement)).first() is not None

    async def clear_throttle(self, scope: str, key: str) -> None:
        await self.session.execute(
            delete(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
        )

    async def clear_throttles_ending(self, scope: str, suffix: str) -> None:
        """Delete the scope's rows whose key ends with ``#<suffix>`` (one account's,
        from every client)."""
        await self.session.execute(
            delete(LoginThrottle).where(
                LoginThrottle.scope == scope, LoginThrottle.key.endswith(f"#{suffix}")
            )
        )

    # --- housekeeping --------------------------------------------------------------------
    async def sweep(
        self, now: datetime, *, throttle_window: timedelta, access_token_life: timedelta
    ) -> dict[str, int]:
        """Delete what can no longer matter: refresh tokens dead for longer than
        an access token lives (until then a password change must still name
        their session as revoked), dead reset tokens, and throttles whose
        window (the longest of any scope) ended and lock expired."""
        dead_before = now - access_token_life
        refresh = await self.session.execute(
            delete(RefreshToken).where(
                (RefreshToken.expires_at < dead_before)
                | (RefreshToken.family_expires_at < dead_before)
            )
        )
        reset = await self.session.execute(delete(ResetToken).where(ResetToken.expires_at < now))
        throttles = await self.session.execute(
            delete(LoginThrottle).where(
                LoginThrottle.window_started_at < now - throttle_window,
                (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now),
            )
        )
        return {
            "refresh_tokens": refresh.rowcount,  # type: ignore[attr-defined]
            "reset_tokens": reset.rowcount,  # type: ignore[attr-defined]
            "login_throttles": throttles.rowcount,  # type: ignore[attr-defined]
        }
