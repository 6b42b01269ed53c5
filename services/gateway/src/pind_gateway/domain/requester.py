"""Who asks for something: a signed-in user, or a guest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Requester:
    """Who asks: a signed-in user's id, or nobody (guest)."""

    user_id: uuid.UUID | None = None
