"""Accounts: register (without telling whether the address was taken), read,
change the password, delete (announced on ``pind.user.v1``)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import structlog

from pind_auth.errors import InvalidCredentials, NotAuthenticated
from pind_auth.models import User
from pind_auth.security.tokens import AccessClaims
from pind_auth.service.context import Account, AuthContext
from pind_auth.throttling import TAKEN_MAIL
from pind_contracts import UserChanged

log = structlog.get_logger(__name__)


class Accounts:
    def __init__(self, context: AuthContext) -> None:
        self._c = context

    async def register(
        self, raw_email: str, password: str, client_address: str | None = None
    ) -> None:
        """Create the account, or, when the address is taken, tell its owner by
        mail (at most once per interval). The caller sees the same answer either
        way (no enumeration). Limited per client address and network."""
        c = self._c
        email = c.email(raw_email)
        c.check_policy(password, email.address)
        await c.throttle.count_registration(client_address)
        password_hash = await c.hash(password)  # before we know: same cost
        now = c.clock()
        user_id = uuid.uuid4()
        interval = timedelta(seconds=c.settings.taken_address_mail_interval_s)
        mail = False
        # One transaction either way, the owner's mail claimed inside it: a taken
        # address must not answer slower than a new one (enumeration by timing).
        async with c.tx() as repo:
            created = await repo.insert_user(user_id, email.address, email.key, password_hash, now)
            owner = None if created else await repo.user_by_email_key(email.key)
            if created:
                await repo.emit_user_changed(
                    UserChanged(kind="registered", user_id=user_id, at=now),
                    c.settings.service_name,
                )
            elif owner is not None:
                mail = await repo.claim_once_per(TAKEN_MAIL, owner.email_key, now, interval)
        if owner is not None:
            log.info("registration for a taken address", owner_notified=mail)
            if mail:
                c.mail.send_later(c.mail.address_taken(owner.email))
        elif created:
            log.info("account registered", user_id=str(user_id))

    async def account(self, claims: AccessClaims) -> Account:
        async with self._c.tx() as repo:
            user = await repo.user_by_id(claims.user_id)
        if user is None:
            raise NotAuthenticated(log_reason="account no longer exists")
        return Account(user.id, user.email, user.created_at)

    async def change_password(
        self, claims: AccessClaims, current: str, new: str, client_address: str | None = None
    ) -> None:
        """Set a new password; every other session of the account ends."""
        c = self._c
        user = await self._reauthenticate(claims, current, client_address)
        c.check_policy(new, user.email)
        new_hash = await c.hash(new)
        now = c.clock()
        async with c.tx() as repo:
            await repo.set_password_hash(user.id, new_hash, changed_at=now)
            ended = await repo.revoke_sessions(user.id, now, keep_family=claims.session_id)
            await repo.use_reset_tokens(user.id, now)
            await c.sessions_revoked(repo, user.id, now, ended)
        log.info("password changed", user_id=str(user.id))

    async def delete_account(
        self, claims: AccessClaims, password: str, client_address: str | None = None
    ) -> None:
        """Erase the account and its tokens, and say so on ``pind.user.v1``
        in the same transaction (through the outbox)."""
        c = self._c
        user = await self._reauthenticate(claims, password, client_address)
        now = c.clock()
        async with c.tx() as repo:
            if await repo.delete_user(user.id):
                await repo.emit_user_changed(
                    UserChanged(kind="deleted", user_id=user.id, at=now), c.settings.service_name
                )
        log.info("account deleted", user_id=str(user.id))

    async def _reauthenticate(
        self, claims: AccessClaims, password: str, client_address: str | None
    ) -> User:
        """The caller's account, after checking its password again (throttled
        as a login from the same client)."""
        c = self._c
        now = c.clock()
        async with c.tx() as repo:
            user = await repo.user_by_id(claims.user_id)
            if user is not None:
                await c.throttle.refuse_if_throttled(repo, user.email_key, client_address, now)
        if user is None:
            raise NotAuthenticated(log_reason="account no longer exists")
        if not (await c.verify(user.password_hash, password)).ok:
            await c.throttle.count_failure(user.email_key, client_address)
            raise InvalidCredentials("The password is incorrect.")
        return user
