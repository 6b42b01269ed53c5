"""What the auth service does: accounts, sessions, password resets, throttling.

Argon2 work (about 100 ms) never runs inside a database transaction: reads
happen in one short transaction, hashing outside any, writes in another that
re-checks what it relies on. Errors are raised after a transaction has
committed whatever must survive them (a failed login's count, a revoked family).

Throttling (:mod:`pind_auth.throttling`) never locks an account for everyone;
account mail (:mod:`pind_auth.account_mail`) leaves in the background.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_auth.account_mail import AccountMail, Mailer
from pind_auth.clients import account_address_key, account_suffix
from pind_auth.emails import EmailAddress, EmailRejected, lookup_key, parse_email
from pind_auth.errors import (
    AuthError,
    Busy,
    InvalidCredentials,
    InvalidEmail,
    InvalidRefreshToken,
    InvalidResetToken,
    NotAuthenticated,
    WeakPassword,
)
from pind_auth.metrics import LOGINS, REFRESH_REUSE
from pind_auth.models import RefreshToken, ResetToken, User
from pind_auth.repository import Repository
from pind_auth.security.passwords import HashQueueFull, PasswordHashing, Verification
from pind_auth.security.policy import PasswordPolicy
from pind_auth.security.tokens import (
    AccessClaims,
    AccessTokenIssuer,
    AccessTokenVerifier,
    InvalidAccessToken,
    digest,
    new_opaque_token,
)
from pind_auth.settings import AuthSettings
from pind_auth.throttling import ACCOUNT_ADDRESS, TAKEN_MAIL, Throttle
from pind_contracts import UserChanged

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]


NOBODY = UUID(int=0)


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


class AuthService:
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
        self._s = settings
        self._tx = transactions
        self._hashing = hashing
        self._issuer = issuer
        self._verifier = verifier
        self._mail = AccountMail(settings, mailer)
        self._clock = clock
        self._policy = PasswordPolicy(settings.password_min_length, settings.password_max_length)
        self._throttle = Throttle(settings, transactions, clock)

    # --- accounts -------------------------------------------------------------------------
    async def register(
        self, raw_email: str, password: str, client_address: str | None = None
    ) -> None:
        """Create the account, or, when the address is taken, tell its owner by
        mail (at most once per interval). The caller sees the same answer either
        way (no enumeration). Limited per client address and network."""
        email = self._email(raw_email)
        self._check_policy(password, email.address)
        await self._throttle.count_registration(client_address)
        password_hash = await self._hash(password)  # before we know: same cost
        now = self._clock()
        user_id = uuid.uuid4()
        interval = timedelta(seconds=self._s.taken_address_mail_interval_s)
        mail = False
        # One transaction either way, the owner's mail claimed inside it: a taken
        # address must not answer slower than a new one (enumeration by timing).
        async with self._tx() as repo:
            created = await repo.insert_user(user_id, email.address, email.key, password_hash, now)
            owner = None if created else await repo.user_by_email_key(email.key)
            if created:
                await repo.emit_user_changed(
                    UserChanged(kind="registered", user_id=user_id, at=now), self._s.service_name
                )
            elif owner is not None:
                mail = await repo.claim_once_per(TAKEN_MAIL, owner.email_key, now, interval)
        if owner is not None:
            log.info("registration for a taken address", owner_notified=mail)
            if mail:
                self._mail.send_later(self._mail.address_taken(owner.email))
        elif created:
            log.info("account registered", user_id=str(user_id))

    async def account(self, claims: AccessClaims) -> Account:
        async with self._tx() as repo:
            user = await repo.user_by_id(claims.user_id)
        if user is None:
            raise NotAuthenticated(log_reason="account no longer exists")
        return Account(user.id, user.email, user.created_at)

    async def change_password(
        self, claims: AccessClaims, current: str, new: str, client_address: str | None = None
    ) -> None:
        """Set a new password; every other session of the account ends."""
        user = await self._reauthenticate(claims, current, client_address)
        self._check_policy(new, user.email)
        new_hash = await self._hash(new)
        now = self._clock()
        async with self._tx() as repo:
            await repo.set_password_hash(user.id, new_hash, changed_at=now)
            ended = await repo.revoke_sessions(user.id, now, keep_family=claims.session_id)
            await repo.use_reset_tokens(user.id, now)
            await self._sessions_revoked(repo, user.id, now, ended)
        log.info("password changed", user_id=str(user.id))

    async def delete_account(
        self, claims: AccessClaims, password: str, client_address: str | None = None
    ) -> None:
        """Erase the account and its tokens, and say so on ``pind.user.v1``
        in the same transaction (through the outbox)."""
        user = await self._reauthenticate(claims, password, client_address)
        now = self._clock()
        async with self._tx() as repo:
            if await repo.delete_user(user.id):
                await repo.emit_user_changed(
                    UserChanged(kind="deleted", user_id=user.id, at=now), self._s.service_name
                )
        log.info("account deleted", user_id=str(user.id))

    # --- sessions -------------------------------------------------------------------------
    async def login(
        self,
        username: str,
        password: str,
        client_address: str | None,
        *,
        legacy_client: bool = False,
    ) -> TokenPair:
        """Check the password (throttled) and start a session. The first
        backend's clients never refresh, so their access tokens live longer."""
        now = self._clock()
        access_ttl_s = self._s.legacy_access_token_ttl_s if legacy_client else None
        key = lookup_key(username)
        async with self._tx() as repo:
            await self._throttle.refuse_if_throttled(repo, key, client_address, now)
            user = await repo.user_by_email_key(key)

        if len(password) > self._s.password_max_length * 4:
            verified_ok, new_hash = False, None  # not worth hashing; not a password we issued
        else:
            verification = await self._verify(user.password_hash if user else None, password)
            verified_ok, new_hash = verification.ok, verification.new_hash
        if not verified_ok or user is None:
            await self._throttle.count_failure(key, client_address)
            LOGINS.labels("failed").inc()
            raise InvalidCredentials(log_reason="unknown account" if user is None else "mismatch")

        async with self._tx() as repo:
            if await repo.user_by_id(user.id) is None:  # deleted meanwhile
                pair = None
            else:
                await repo.clear_throttle(ACCOUNT_ADDRESS, account_address_key(key, client_address))
                if new_hash is not None:
                    await repo.rehash(user.id, new_hash, expected=user.password_hash)
                pair = await self._start_session(repo, user.id, now, access_ttl_s=access_ttl_s)
        if pair is None:
            raise InvalidCredentials(log_reason="account deleted during login")
        LOGINS.labels("succeeded").inc()
        log.info("logged in", user_id=str(user.id), rehashed=new_hash is not None)
        return pair

    async def refresh(self, presented: str) -> TokenPair:
        """Rotate: the presented token is spent and a new one of the same family
        issued. A spent token presented again means it leaked: the family ends."""
        now = self._clock()
        outcome: TokenPair | AuthError
        async with self._tx() as repo:
            row = await repo.refresh_token_for_update(digest(presented))
            if row is None or row.revoked_at is not None:
                outcome = InvalidRefreshToken(log_reason="unknown or revoked")
            elif row.rotated_at is not None:
                revoked = await repo.revoke_family(row.family_id, now)
                await self._sessions_revoked(repo, row.user_id, now, [row.family_id])
                REFRESH_REUSE.inc()
                log.warning(
                    "refresh token reused; family revoked",
                    user_id=str(row.user_id),
                    family_id=str(row.family_id),
                    revoked=revoked,
                )
                outcome = InvalidRefreshToken(log_reason="reuse of a rotated token")
            elif row.expires_at <= now or row.family_expires_at <= now:
                outcome = InvalidRefreshToken(log_reason="expired")
            else:
                await repo.mark_rotated(row.id, now)
                outcome = await self._start_session(
                    repo, row.user_id, now, family=(row.family_id, row.family_expires_at)
                )
        if isinstance(outcome, AuthError):
            raise outcome
        return outcome

    async def logout(self, presented: str) -> None:
        """End the session the refresh token belongs to (idempotent); its access
        tokens are announced revoked the first time."""
        now = self._clock()
        async with self._tx() as repo:
            row = await repo.refresh_token_for_update(digest(presented))
            if row is not None and await repo.revoke_family(row.family_id, now):
                await self._sessions_revoked(repo, row.user_id, now, [row.family_id])

    async def _sessions_revoked(
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
        await repo.emit_user_changed(event, self._s.service_name)

    def authenticate(self, bearer: str | None) -> AccessClaims:
        if not bearer:
            raise NotAuthenticated(log_reason="no bearer token")
        try:
            return self._verifier.verify(bearer)
        except InvalidAccessToken as exc:
            raise NotAuthenticated(log_reason=str(exc)) from exc

    # --- password reset --------------------------------------------------------------------
    async def request_password_reset(self, raw_email: str) -> None:
        """Mail a single-use link if the address has an account. The answer
        leaves after the same read either way (no enumeration by timing); a
        known account's token is written and mailed in the background."""
        email = self._email(raw_email)
        now = self._clock()
        resend_after = now - timedelta(seconds=self._s.reset_resend_interval_s)
        async with self._tx() as repo:
            user = await repo.user_by_email_key(email.key)
            # The same two reads for an unknown address (nobody has the nil id).
            recent = await repo.reset_requested_since(
                user.id if user is not None else NOBODY, resend_after
            )
        send = user is not None and not recent
        if user is not None and send:
            self._mail.in_background(self._issue_reset(user.id, user.email, now), "reset-mail")
        log.info("password reset requested", known=user is not None, mailed=send)

    async def _issue_reset(self, user_id: UUID, to: str, now: datetime) -> None:
        token = new_opaque_token()
        resend_after = now - timedelta(seconds=self._s.reset_resend_interval_s)
        async with self._tx() as repo:
            # The account's row lock orders racing requests: one token per interval.
            if await repo.user_by_id(user_id, for_update=True) is None:
                return
            if self._s.reset_resend_interval_s and await repo.reset_requested_since(
                user_id, resend_after
            ):
                return
            await repo.use_reset_tokens(user_id, now)
            await repo.add_reset_token(
                ResetToken(
                    id=uuid.uuid4(),
                    token_hash=digest(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + timedelta(seconds=self._s.reset_token_ttl_s),
                    used_at=None,
                )
            )
        await self._mail.deliver(self._mail.reset(to, token))

    async def reset_password(self, token: str, new_password: str) -> None:
        """Spend the reset token, set the password, end every session."""
        token_hash = digest(token)
        async with self._tx() as repo:
            row = await repo.reset_token_for_update(token_hash)
            user = await repo.user_by_id(row.user_id) if row is not None else None
        if row is None or user is None or not self._reset_usable(row, self._clock()):
            raise InvalidResetToken()
        self._check_policy(new_password, user.email)
        new_hash = await self._hash(new_password)
        now = self._clock()
        async with self._tx() as repo:
            row = await repo.reset_token_for_update(token_hash)  # re-check under lock
            usable = row is not None and self._reset_usable(row, now)
            if usable:
                await repo.use_reset_tokens(user.id, now)
                await repo.set_password_hash(user.id, new_hash, changed_at=now)
                ended = await repo.revoke_sessions(user.id, now)
                await self._sessions_revoked(repo, user.id, now, ended, not_before=now)
                # Whoever holds the mailbox is the owner: their delays end everywhere.
                await repo.clear_throttles_ending(ACCOUNT_ADDRESS, account_suffix(user.email_key))
        if not usable:
            raise InvalidResetToken(log_reason="spent concurrently")
        log.info("password reset", user_id=str(user.id))

    # --- housekeeping ----------------------------------------------------------------------
    async def sweep(self) -> dict[str, int]:
        async with self._tx() as repo:
            return await repo.sweep(
                self._clock(),
                throttle_window=max(self._throttle.window, self._throttle.register_window),
                access_token_life=timedelta(
                    seconds=max(self._s.access_token_ttl_s, self._s.legacy_access_token_ttl_s)
                ),
            )

    async def drain_mail(self) -> None:
        """Wait for mail (and reset tokens) still being sent (at shutdown)."""
        await self._mail.drain()

    # --- helpers -----------------------------------------------------------------------------
    def _email(self, raw: str) -> EmailAddress:
        try:
            return parse_email(raw)
        except EmailRejected as exc:
            raise InvalidEmail(str(exc)) from exc

    def _check_policy(self, password: str, email: str | None) -> None:
        violation = self._policy.check(password, email=email)
        if violation is not None:
            raise WeakPassword(violation.message, code=violation.code)

    async def _reauthenticate(
        self, claims: AccessClaims, password: str, client_address: str | None
    ) -> User:
        """The caller's account, after checking its password again (throttled
        as a login from the same client)."""
        now = self._clock()
        async with self._tx() as repo:
            user = await repo.user_by_id(claims.user_id)
            if user is not None:
                await self._throttle.refuse_if_throttled(repo, user.email_key, client_address, now)
        if user is None:
            raise NotAuthenticated(log_reason="account no longer exists")
        if not (await self._verify(user.password_hash, password)).ok:
            await self._throttle.count_failure(user.email_key, client_address)
            raise InvalidCredentials("The password is incorrect.")
        return user

    async def _hash(self, password: str) -> str:
        try:
            return await self._hashing.hash(password)
        except HashQueueFull as exc:
            raise Busy(exc.retry_after_s) from exc

    async def _verify(self, stored: str | None, password: str) -> Verification:
        try:
            return await self._hashing.verify(stored, password)
        except HashQueueFull as exc:
            raise Busy(exc.retry_after_s) from exc

    async def _start_session(
        self,
        repo: Repository,
        user_id: UUID,
        now: datetime,
        *,
        family: tuple[UUID, datetime] | None = None,
        access_ttl_s: int | None = None,
    ) -> TokenPair:
        family_id, family_ends = family or (
            uuid.uuid4(),
            now + timedelta(seconds=self._s.session_max_age_s),
        )
        token = new_opaque_token()
        await repo.add_refresh_token(
            RefreshToken(
                id=uuid.uuid4(),
                token_hash=digest(token),
                family_id=family_id,
                user_id=user_id,
                created_at=now,
                expires_at=min(now + timedelta(seconds=self._s.refresh_token_ttl_s), family_ends),
                family_expires_at=family_ends,
                rotated_at=None,
                revoked_at=None,
            )
        )
        access = self._issuer.issue(user_id, family_id, now, ttl_s=access_ttl_s)
        return TokenPair(access.token, token, access.expires_in)

    @staticmethod
    def _reset_usable(row: ResetToken, now: datetime) -> bool:
        return row.used_at is None and row.expires_at > now
