"""``pind.user.v1``: accounts registered or deleted (no personal data)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pind_contracts.types import Contract, UtcDateTime


class UserChanged(Contract):
    kind: Literal["registered", "deleted"]
    user_id: UUID
    at: UtcDateTime
