"""Password resets: mail a single-use link (the same answer, after the same
reads, whether or not the address has an account), then spend it to set a
new password, which ends every session of the account."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from uuid import UUID

import structlog

from pind_auth.clients import account_suffix
from pind_auth.errors import InvalidResetToken
from pind_auth.models import ResetToken
from pind_auth.security.tokens import digest, new_opaque_token
from pind_auth.service.context import AuthContext
from pind_auth.throttling import ACCOUNT_ADDRESS

log = structlog.get_logger(__name__)

NOBODY = UUID(int=0)
"""The user id read for an unknown address (nobody has it), so that both
answers cost the same reads."""


class PasswordResets:
    def __init__(self, context: AuthContext) -> None:
        self._c = context

    async def request(self, raw_email: str) -> None:
        """Mail a single-use link if the address has an account. The answer
        leaves after the same read either way (no enumeration by timing); a
        known account's token is written and mailed in the background."""
        c = self._c
        email = c.email(raw_email)
        now = c.clock()
        resend_after = now - timedelta(seconds=c.settings.reset_resend_interval_s)
        async with c.tx() as repo:
            user = await repo.user_by_email_key(email.key)
            recent = await repo.reset_requested_since(
                user.id if user is not None else NOBODY, resend_after
            )
        send = user is not None and not recent
        if user is not None and send:
            c.mail.in_background(self._issue(user.id, user.email, now), "reset-mail")
        log.info("password reset requested", known=user is not None, mailed=send)

    async def _issue(self, user_id: UUID, to: str, now: datetime) -> None:
        c = self._c
        token = new_opaque_token()
        resend_after = now - timedelta(seconds=c.settings.reset_resend_interval_s)
        async with c.tx() as repo:
            # The account's row lock orders racing requests: one token per interval.
            if await repo.user_by_id(user_id, for_update=True) is None:
                return
            if c.settings.reset_resend_interval_s and await repo.reset_requested_since(
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
                    expires_at=now + timedelta(seconds=c.settings.reset_token_ttl_s),
                    used_at=None,
                )
            )
        await c.mail.deliver(c.mail.reset(to, token))

    async def reset_password(self, token: str, new_password: str) -> None:
        """Spend the reset token, set the password, end every session."""
        c = self._c
        token_hash = digest(token)
        async with c.tx() as repo:
            row = await repo.reset_token_for_update(token_hash)
            user = await repo.user_by_id(row.user_id) if row is not None else None
        if row is None or user is None or not _usable(row, c.clock()):
            raise InvalidResetToken()
        c.check_policy(new_password, user.email)
        new_hash = await c.hash(new_password)
        now = c.clock()
        async with c.tx() as repo:
            row = await repo.reset_token_for_update(token_hash)  # re-check under lock
            usable = row is not None and _usable(row, now)
            if usable:
                await repo.use_reset_tokens(user.id, now)
                await repo.set_password_hash(user.id, new_hash, changed_at=now)
                ended = await repo.revoke_sessions(user.id, now)
                await c.sessions_revoked(repo, user.id, now, ended, not_before=now)
                # Whoever holds the mailbox is the owner: their delays end everywhere.
                await repo.clear_throttles_ending(ACCOUNT_ADDRESS, account_suffix(user.email_key))
        if not usable:
            raise InvalidResetToken(log_reason="spent concurrently")
        log.info("password reset", user_id=str(user.id))


def _usable(row: ResetToken, now: datetime) -> bool:
    return row.used_at is None and row.expires_at > now
