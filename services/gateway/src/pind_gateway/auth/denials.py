"""The deny list: access tokens refused before they expire, kept in memory by
every gateway process and checked on every verification.

Its rows (``gateway.token_denials``) are written by the revocation consumer
(:mod:`pind_gateway.auth.revocations`) from ``pind.user.v1``, which announces
each row on :data:`DENIALS_CHANNEL` in the transaction that writes it. Each
process hears them on its one LISTEN connection
(:class:`~pind_gateway.core.notifications.Notifications`, see
:meth:`DenyList.listen`): once listening it reads the whole table (so nothing
committed before is missed) and then applies each announcement as it comes
(within milliseconds of the commit). A lost connection is reopened and the
table read again; the table is also re-read every ``reload_interval_s``, which
forgets what expired. Until the first read succeeds no token is accepted
(:class:`DenyListUnavailable`, 503): a restarted process never accepts a token
the table refuses.

A token is refused when its session (``sid``) is denied, or its user has a
``not_before`` and the token was issued (``iat``, whole seconds) before that
second; a deleted account's tokens are all refused.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import structlog

from pind_gateway.core.errors import AuthUnavailable, InvalidToken
from pind_gateway.core.notifications import Notifications

log = structlog.get_logger(__name__)

DENIALS_CHANNEL = "pind_gateway_token_denials"
EVERY_SESSION = uuid.UUID(int=0)
"""``session_id`` of a row about every session of the user."""
KEEP = timedelta(hours=24, minutes=5)
"""How long a row is kept after the revocation: auth issues no access token
that lives longer (its ``legacy_access_token_ttl_s`` is at most a day), with
room for clock skew and verification leeway."""
SELECT_LIVE = (
    "SELECT user_id, session_id, not_before, forget_after FROM gateway.token_denials"
    " WHERE forget_after > now()"
)


class TokenRevoked(InvalidToken):
    code = "token_revoked"

    def __init__(self) -> None:
        super().__init__()
        self.message = (
            "the access token was revoked (signed out, password changed or reset, "
            "or account deleted); sign in again"
        )


class DenyListUnavailable(AuthUnavailable):
    """The deny list has not been read yet (the database cannot be reached)."""


@dataclass(frozen=True, slots=True)
class Denial:
    """One row: every token of ``session_id``, or (``EVERY_SESSION``) every token
    of ``user_id`` issued before ``not_before`` (None: all of them)."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    not_before: datetime | None
    forget_after: datetime

    def announcement(self) -> str:
        """The NOTIFY payload that carries this row to every process."""
        return json.dumps(
            {
                "user": str(self.user_id),
                "session": str(self.session_id),
                "not_before": None if self.not_before is None else self.not_before.timestamp(),
                "forget_after": self.forget_after.timestamp(),
            }
        )


class DenyList:
    """One process' copy of ``gateway.token_denials``."""

    def __init__(
        self,
        *,
        reload_interval_s: float = 60.0,
        ready_timeout_s: float = 5.0,
        clock: Any = time.time,
    ) -> None:
        self._reload_interval_s = reload_interval_s
        self._ready_timeout_s = ready_timeout_s
        self._clock = clock
        self._sessions: dict[uuid.UUID, float] = {}  # session -> forget after (epoch)
        self._users: dict[uuid.UUID, tuple[float, float]] = {}  # user -> (not before, forget)
        self._held: list[Denial] | None = None  # announcements heard while reading
        self._change = asyncio.Event()
        self.ready = asyncio.Event()
        """Set once the table was read (and stays set: a later outage keeps the
        list as last read, announcements resuming when the connection does)."""

    # --- checking ---------------------------------------------------------------------------
    async def check(self, user_id: uuid.UUID, session_id: uuid.UUID | None, issued_at: int) -> None:
        """Raise :class:`TokenRevoked` if the token is denied (waiting, briefly,
        for the first read of the table; :class:`DenyListUnavailable` if it
        does not come)."""
        if not self.ready.is_set():
            try:
                await asyncio.wait_for(self.ready.wait(), self._ready_timeout_s)
            except TimeoutError:
                log.warning("deny list not read yet; token refused for now")
                raise DenyListUnavailable() from None
        if self.refuses(user_id, session_id, issued_at):
            log.info("revoked access token refused", user_id=str(user_id))
            raise TokenRevoked()

    def refuses(self, user_id: uuid.UUID, session_id: uuid.UUID | None, issued_at: int) -> bool:
        now = self._clock()
        if session_id is not None:
            forget = self._sessions.get(session_id)
            if forget is not None and now < forget:
                return True
        user = self._users.get(user_id)
        if user is None:
            return False
        not_before, forget = user
        return now < forget and issued_at < not_before

    async def next_change(self) -> None:
        """Return once the list next changes (an announcement applied or the
        table read)."""
        await self._change.wait()

    def _changed(self) -> None:
        self._change.set()
        self._change = asyncio.Event()

    def apply(self, denial: Denial) -> None:
        """Add a row to the list (merged with what is there)."""
        self._changed()
        forget = denial.forget_after.timestamp()
        if denial.session_id != EVERY_SESSION:
            known = self._sessions.get(denial.session_id, 0.0)
            self._sessions[denial.session_id] = max(forget, known)
            return
        # Tokens carry whole seconds: a token of the revocation's second before
        # it is indistinguishable from one after it; the former are those of
        # the sessions revoked with it (rows of their own).
        not_before = (
            math.inf if denial.not_before is None else math.floor(denial.not_before.timestamp())
        )
        old_not_before, old_forget = self._users.get(denial.user_id, (-math.inf, 0.0))
        self._users[denial.user_id] = (max(not_before, old_not_before), max(forget, old_forget))

    def replace(self, denials: list[Denial]) -> None:
        """Replace the list with the table as read (expired rows are not read)."""
        self._sessions, self._users = {}, {}
        for denial in denials:
            self.apply(denial)
        self._changed()

    def __len__(self) -> int:
        return len(self._sessions) + len(self._users)

    # --- keeping it current -----------------------------------------------------------------
    def listen(self, notifications: Notifications) -> None:
        """Keep the list current through the process's listener: announcements
        applied as they come, the table read on every (re)connection and every
        ``reload_interval_s``."""
        notifications.subscribe(DENIALS_CHANNEL, self._on_announcement)
        notifications.on_connect(self._read_on_connect)
        notifications.every(self._reload_interval_s, self._reload)

    async def _read_on_connect(self, connection: asyncpg.Connection) -> None:
        await self._reload(connection)  # after LISTEN: nothing committed since is missed
        log.info("deny list read", entries=len(self))

    async def _reload(self, connection: asyncpg.Connection) -> None:
        # Announcements heard while the table is read may be of rows committed
        # after the read's snapshot: held, and applied over what was read.
        self._held = []
        try:
            rows = await connection.fetch(SELECT_LIVE)
            self.replace(
                [
                    Denial(r["user_id"], r["session_id"], r["not_before"], r["forget_after"])
                    for r in rows
                ]
            )
            for denial in self._held:
                self.apply(denial)
        finally:
            self._held = None
        self.ready.set()

    def _on_announcement(self, payload: str) -> None:
        try:
            found = json.loads(payload)
            not_before = found["not_before"]
            denial = Denial(
                uuid.UUID(found["user"]),
                uuid.UUID(found["session"]),
                None if not_before is None else _from_epoch(float(not_before)),
                _from_epoch(float(found["forget_after"])),
            )
        except (ValueError, KeyError, TypeError):
            log.warning("malformed deny-list announcement ignored", payload=payload[:120])
            return
        if self._held is not None:
            self._held.append(denial)
        self.apply(denial)


def _from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
