"""What the auth service does, by use case: :mod:`.accounts` (register, read,
change the password, delete), :mod:`.sessions` (sign in, refresh, sign out,
check an access token), :mod:`.resets` (password resets); :mod:`.context`
holds what they share. :class:`AuthService` builds them once and adds the
housekeeping.

Argon2 work (about 100 ms) never runs inside a database transaction: reads
happen in one short transaction, hashing outside any, writes in another that
re-checks what it relies on. Errors are raised after a transaction has
committed whatever must survive them (a failed login's count, a revoked family).

Throttling (:mod:`pind_auth.throttling`) never locks an account for everyone;
account mail (:mod:`pind_auth.account_mail`) leaves in the background.
"""

from __future__ import annotations

from datetime import timedelta

from pind_auth.account_mail import Mailer
from pind_auth.security.passwords import PasswordHashing
from pind_auth.security.tokens import AccessTokenIssuer, AccessTokenVerifier
from pind_auth.service.accounts import Accounts
from pind_auth.service.context import (
    Account,
    AuthContext,
    Clock,
    TokenPair,
    Transactions,
    utcnow,
)
from pind_auth.service.resets import PasswordResets
from pind_auth.service.sessions import Sessions
from pind_auth.settings import AuthSettings

__all__ = [
    "Account",
    "Accounts",
    "AuthService",
    "Clock",
    "PasswordResets",
    "Sessions",
    "TokenPair",
    "Transactions",
    "utcnow",
]


class AuthService:
    """The use cases of one auth process: ``accounts``, ``sessions``, ``resets``."""

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
        self._c = AuthContext(settings, transactions, hashing, issuer, verifier, mailer, clock)
        self.accounts = Accounts(self._c)
        self.sessions = Sessions(self._c)
        self.resets = PasswordResets(self._c)

    async def sweep(self) -> dict[str, int]:
        """Forget expired refresh and reset tokens and stale throttle counts;
        how many rows of each."""
        c = self._c
        async with c.tx() as repo:
            return await repo.sweep(
                c.clock(),
                throttle_window=max(c.throttle.window, c.throttle.register_window),
                access_token_life=timedelta(
                    seconds=max(c.settings.access_token_ttl_s, c.settings.legacy_access_token_ttl_s)
                ),
            )

    async def drain_mail(self) -> None:
        """Wait for mail (and reset tokens) still being sent (at shutdown)."""
        await self._c.mail.drain()
