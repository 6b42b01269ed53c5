"""``pind.user.v1``: accounts registered or deleted, and sessions revoked
(ids only, no personal data).

``sessions_revoked`` says which access tokens of the account stop being valid
before they expire: every token of the sessions in ``session_ids`` (a
logout, a password change ending the other sessions, a refresh token used
twice), and with ``not_before`` every token of the account issued (``iat``,
whole seconds) before that second (a password reset). A ``deleted`` account's
tokens are all invalid. Added fields are optional: events written before
them still read, and readers that predate them ignore them.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pind_contracts.types import Contract, UtcDateTime


class UserChanged(Contract):
    kind: Literal["registered", "deleted", "sessions_revoked"]
    user_id: UUID
    at: UtcDateTime
    session_ids: tuple[UUID, ...] = ()
    """``sessions_revoked``: the sessions (``sid`` claims) whose tokens are revoked."""
    not_before: UtcDateTime | None = None
    """``sessions_revoked``: tokens of the account issued before this are revoked."""
