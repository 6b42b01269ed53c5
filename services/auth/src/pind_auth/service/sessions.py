"""Sessions: sign in (throttled), rotate refresh tokens (a reused one ends its
family), sign out, and check the access token of a request.

A session is a family of refresh tokens; each access token names its family
(``sid``), so ending a family revokes its access tokens too (announced on
``pind.user.v1``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from uuid import UUID

import structlog

from pind_auth.clients import account_address_key
from pind_auth.emails import lookup_key
from pind_auth.errors import AuthError, InvalidCredentials, InvalidRefreshToken, NotAuthenticated
from pind_auth.metrics import LOGINS, REFRESH_REUSE
from pind_auth.models import RefreshToken
from pind_auth.repository import Repository
from pind_auth.security.tokens import (
    AccessClaims,
    InvalidAccessToken,
    digest,
    new_opaque_token,
)
from pind_auth.service.context import AuthContext, TokenPair
from pind_auth.throttling import ACCOUNT_ADDRESS

log = structlog.get_logger(__name__)


class Sessions:
    def __init__(self, context: AuthContext) -> None:
        self._c = context

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
        c = self._c
        now = c.clock()
        access_ttl_s = c.settings.legacy_access_token_ttl_s if legacy_client else None
        key = lookup_key(username)
        async with c.tx() as repo:
            await c.throttle.refuse_if_throttled(repo, key, client_address, now)
            user = await repo.user_by_email_key(key)

        if len(password) > c.settings.password_max_length * 4:
            verified_ok, new_hash = False, None  # not worth hashing; not a password we issued
        else:
            verification = await c.verify(user.password_hash if user else None, password)
            verified_ok, new_hash = verification.ok, verification.new_hash
        if not verified_ok or user is None:
            await c.throttle.count_failure(key, client_address)
            LOGINS.labels("failed").inc()
            raise InvalidCredentials(log_reason="unknown account" if user is None else "mismatch")

        async with c.tx() as repo:
            if await repo.user_by_id(user.id) is None:  # deleted meanwhile
                pair = None
            else:
                await repo.clear_throttle(ACCOUNT_ADDRESS, account_address_key(key, client_address))
                if new_hash is not None:
                    await repo.rehash(user.id, new_hash, expected=user.password_hash)
                pair = await self._start(repo, user.id, now, access_ttl_s=access_ttl_s)
        if pair is None:
            raise InvalidCredentials(log_reason="account deleted during login")
        LOGINS.labels("succeeded").inc()
        log.info("logged in", user_id=str(user.id), rehashed=new_hash is not None)
        return pair

    async def refresh(self, presented: str) -> TokenPair:
        """Rotate: the presented token is spent and a new one of the same family
        issued. A spent token presented again means it leaked: the family ends."""
        c = self._c
        now = c.clock()
        outcome: TokenPair | AuthError
        async with c.tx() as repo:
            row = await repo.refresh_token_for_update(digest(presented))
            if row is None or row.revoked_at is not None:
                outcome = InvalidRefreshToken(log_reason="unknown or revoked")
            elif row.rotated_at is not None:
                revoked = await repo.revoke_family(row.family_id, now)
                await c.sessions_revoked(repo, row.user_id, now, [row.family_id])
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
                outcome = await self._start(
                    repo, row.user_id, now, family=(row.family_id, row.family_expires_at)
                )
        if isinstance(outcome, AuthError):
            raise outcome
        return outcome

    async def logout(self, presented: str) -> None:
        """End the session the refresh token belongs to (idempotent); its access
        tokens are announced revoked the first time."""
        c = self._c
        now = c.clock()
        async with c.tx() as repo:
            row = await repo.refresh_token_for_update(digest(presented))
            if row is not None and await repo.revoke_family(row.family_id, now):
                await c.sessions_revoked(repo, row.user_id, now, [row.family_id])

    def authenticate(self, bearer: str | None) -> AccessClaims:
        """The claims of a request's access token; :class:`NotAuthenticated`
        when there is none or it is not valid."""
        if not bearer:
            raise NotAuthenticated(log_reason="no bearer token")
        try:
            return self._c.verifier.verify(bearer)
        except InvalidAccessToken as exc:
            raise NotAuthenticated(log_reason=str(exc)) from exc

    async def _start(
        self,
        repo: Repository,
        user_id: UUID,
        now: datetime,
        *,
        family: tuple[UUID, datetime] | None = None,
        access_ttl_s: int | None = None,
    ) -> TokenPair:
        """A new refresh token (of a new family unless ``family`` is given) and
        an access token naming its family, in the caller's transaction."""
        s = self._c.settings
        family_id, family_ends = family or (
            uuid.uuid4(),
            now + timedelta(seconds=s.session_max_age_s),
        )
        token = new_opaque_token()
        await repo.add_refresh_token(
            RefreshToken(
                id=uuid.uuid4(),
                token_hash=digest(token),
                family_id=family_id,
                user_id=user_id,
                created_at=now,
                expires_at=min(now + timedelta(seconds=s.refresh_token_ttl_s), family_ends),
                family_expires_at=family_ends,
                rotated_at=None,
                revoked_at=None,
            )
        )
        access = self._c.issuer.issue(user_id, family_id, now, ttl_s=access_ttl_s)
        return TokenPair(access.token, token, access.expires_in)
