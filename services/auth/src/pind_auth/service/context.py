"""What every auth use case works with: short transactions, the clock, password
hashing and policy, throttling, account mail, and the steps several use cases
share (parsing an address, checking a new password, hashing outside any
transaction, announcing revoked sessions)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_auth.account_mail import AccountMail, Mailer
from pind_auth.emails import EmailAddress, EmailRejected, parse_email
from pind_auth.errors import Busy, InvalidEmail, WeakPassword
from pind_auth.repository import Repository
from pind_auth.security.passwords import HashQueueFull, PasswordHashing, Verification
from pind_auth.security.policy import PasswordPolicy
from pind_auth.security.tokens import AccessTokenIssuer, AccessTokenVerifier
from pind_auth.settings import AuthSettings
from pind_auth.throttling import Throttle
from pind_contracts import UserChanged

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105


@dataclass(frozen=True, slots=True)
class Account:
    id: UUID
    email: str
    created_at: datetime


class Transactions:
    """Short transactions, each yielding a :class:`Repository`; commit on exit."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Repository]:
        async with self._sessionmaker() as session, session.begin():
            yield Repository(session)


class AuthContext:
    """The dependencies of the use cases and the steps they share."""

    def __init__(
        self,
        settings: AuthSettings,
        transactions: Transactions,
        hashing: PasswordHashing,
        issuer: AccessTokenIssuer,
        verifier: AccessTokenVerifier,
        mailer: Mailer,
        clock: Clock = utcnow,
    ) -> None:
        self.settings = settings
        self.tx = transactions
        self.hashing = hashing
        self.issuer = issuer
        self.verifier = verifier
        self.mail = AccountMail(settings, mailer)
        self.clock = clock
        self.policy = PasswordPolicy(settings.password_min_length, settings.password_max_length)
        self.throttle = Throttle(settings, transactions, clock)

    def email(self, raw: str) -> EmailAddress:
        """The address parsed and normalised; :class:`InvalidEmail` if it is not one."""
        try:
            return parse_email(raw)
        except EmailRejected as exc:
            raise InvalidEmail(str(exc)) from exc

    def check_policy(self, password: str, email: str | None) -> None:
        """:class:`WeakPassword` unless ``password`` may be a new password."""
        violation = self.policy.check(password, email=email)
        if violation is not None:
            raise WeakPassword(violation.message, code=violation.code)

    async def hash(self, password: str) -> str:
        """Argon2 (outside any transaction); :class:`Busy` when the queue is full."""
        try:
            return await self.hashing.hash(password)
        except HashQueueFull as exc:
            raise Busy(exc.retry_after_s) from exc

    async def verify(self, stored: str | None, password: str) -> Verification:
        """Check a password against its stored hash (None: an unknown account,
        checked at the same cost); :class:`Busy` when the queue is full."""
        try:
            return await self.hashing.verify(stored, password)
        except HashQueueFull as exc:
            raise Busy(exc.retry_after_s) from exc

    async def sessions_revoked(
        self,
        repo: Repository,
        user_id: UUID,
        now: datetime,
        sessions: list[UUID],
        *,
        not_before: datetime | None = None,
    ) -> None:
        """Say on ``pind.user.v1`` (through the outbox, in the caller's
        transaction) that these sessions' access tokens, and with
        ``not_before`` all the account's tokens issued before it, are revoked:
        the gateway refuses them from then on instead of until they expire."""
        if not sessions and not_before is None:
            return
        event = UserChanged(
            kind="sessions_revoked",
            user_id=user_id,
            at=now,
            session_ids=tuple(sessions),
            not_before=not_before,
        )
        await repo.emit_user_changed(event, self.settings.service_name)
