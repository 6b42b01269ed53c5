"""Throttling sign-ins and registrations, counted in PostgreSQL (every auth
instance enforces the same budget).

It never locks an account for everyone (anyone could keep a known account
locked): failed sign-ins are counted per account *and client address*, and
past ``throttle_account_failures`` each further try from that client waits a
delay that doubles up to ``throttle_delay_max_s``; a client address failing
across many accounts waits out the window; failures of one account from
everywhere only raise an alert metric. Registrations are counted per client
address and per network.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta

import structlog

from pind_auth.clients import account_address_key, account_suffix, address_key, network_key
from pind_auth.errors import TooManyAttempts, TooManyRegistrations
from pind_auth.metrics import ACCOUNTS_UNDER_ATTACK, LOGINS, THROTTLED
from pind_auth.repository import Repository
from pind_auth.settings import AuthSettings

log = structlog.get_logger(__name__)

# Throttle scopes (auth.login_throttles.scope).
ACCOUNT_ADDRESS = "account_address"  # failed sign-ins of one account from one client
ADDRESS = "address"  # failed sign-ins from one client, any account
ACCOUNT = "account"  # failed sign-ins of one account from anywhere (alert only)
REGISTER_ADDRESS = "register_addr"  # registrations from one client
REGISTER_NETWORK = "register_net"  # registrations from one client network
TAKEN_MAIL = "taken_mail"  # the last "someone used your address" mail of an account

Transaction = Callable[[], AbstractAsyncContextManager[Repository]]


class Throttle:
    """The sign-in and registration budgets of :class:`~pind_auth.service.AuthService`."""

    def __init__(
        self, settings: AuthSettings, transaction: Transaction, clock: Callable[[], datetime]
    ) -> None:
        self._s = settings
        self._tx = transaction
        self._clock = clock
        self.window = timedelta(seconds=settings.throttle_window_s)
        self.register_window = timedelta(seconds=settings.register_window_s)

    async def refuse_if_throttled(
        self, repo: Repository, email_key: str, client_address: str | None, now: datetime
    ) -> None:
        """:class:`TooManyAttempts` while this client must wait for this account
        (or, having failed across many accounts, for any)."""
        keys = [(ACCOUNT_ADDRESS, account_address_key(email_key, client_address))]
        if client_address:
            keys.append((ADDRESS, address_key(client_address)))
        locked_until = await repo.locked_until(keys, now)
        if locked_until is not None:
            LOGINS.labels("throttled").inc()
            THROTTLED.labels("login").inc()
            raise TooManyAttempts(max(1, math.ceil((locked_until - now).total_seconds())))

    async def count_failure(self, email_key: str, client_address: str | None) -> None:
        """Count a failed sign-in (its own transaction, so it survives the error)."""
        now = self._clock()
        s = self._s
        async with self._tx() as repo:
            pair = account_address_key(email_key, client_address)
            failures, _ = await repo.count(
                ACCOUNT_ADDRESS, pair, now, window=self.window, sliding=True
            )
            if failures >= s.throttle_account_failures:
                doublings = min(failures - s.throttle_account_failures, 32)
                delay = min(s.throttle_delay_max_s, s.throttle_delay_base_s * 2**doublings)
                await repo.lock(ACCOUNT_ADDRESS, pair, now + timedelta(seconds=delay))
            if client_address:
                client = address_key(client_address)
                failures, started = await repo.count(
                    ADDRESS, client, now, window=self.window, sliding=False
                )
                if failures >= s.throttle_address_failures:
                    await repo.lock(ADDRESS, client, started + self.window)
            failures, _ = await repo.count(
                ACCOUNT, email_key, now, window=self.window, sliding=False
            )
        if failures == s.throttle_account_alert_failures:
            ACCOUNTS_UNDER_ATTACK.inc()
            log.warning(
                "one account failing from many clients",
                account=account_suffix(email_key),
                failures=failures,
            )

    async def count_registration(self, client_address: str | None) -> None:
        """:class:`TooManyRegistrations` once the client, or its network, made
        too many registrations in the window (every try counts)."""
        if not client_address:
            return
        now = self._clock()
        limits = (
            (REGISTER_ADDRESS, address_key(client_address), self._s.register_address_limit),
            (REGISTER_NETWORK, network_key(client_address), self._s.register_network_limit),
        )
        refused: list[tuple[str, datetime]] = []
        async with self._tx() as repo:
            for scope, key, limit in limits:
                count, started = await repo.count(
                    scope, key, now, window=self.register_window, sliding=False
                )
                if count > limit:
                    refused.append((scope, started + self.register_window))
        if refused:
            scope, until = max(refused, key=lambda r: r[1])
            THROTTLED.labels(scope).inc()
            raise TooManyRegistrations(max(1, math.ceil((until - now).total_seconds())))
