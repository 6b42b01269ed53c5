"""FastAPI dependencies every feature shares, as ``Annotated`` aliases the
endpoints declare. A feature's own dependencies live in its ``deps.py``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway.adapters.auth_service import AuthServiceClient
from pind_gateway.core.cache import JobAnswerCache
from pind_gateway.core.errors import NotSignedIn
from pind_gateway.core.watch import AnalysisWatch
from pind_gateway.domain.requester import Requester
from pind_gateway.settings import GatewaySettings


class TokenVerifier(Protocol):
    """Checks an access token (``pind_gateway.auth.tokens.TokenVerifier``)."""

    async def verify(self, token: str) -> uuid.UUID:
        """The user id the token was issued to; :class:`InvalidToken` if it is not valid."""
        ...


@dataclass(frozen=True, slots=True)
class GatewayContext:
    """What the app wires once and every request may use."""

    settings: GatewaySettings
    sessionmaker: async_sessionmaker[AsyncSession]
    watch: AnalysisWatch
    auth: AuthServiceClient
    verifier: TokenVerifier
    reader: async_sessionmaker[AsyncSession]
    """Sessions in autocommit, for reads: no BEGIN/ROLLBACK round trips. Under READ
    COMMITTED every statement sees its own snapshot anyway, so reads lose no
    consistency. Also for a write that is one statement and a transaction of its
    own (the rate-limit count); anything else that writes uses ``sessionmaker``
    and a transaction."""
    job_answers: JobAnswerCache


# Dependencies are ``async`` even where they need not await: FastAPI runs a
# plain ``def`` dependency in a worker thread, a hand-off that costs more than
# the whole of a cached status answer.


async def get_context(request: Request) -> GatewayContext:
    context: GatewayContext = request.app.state.gateway
    return context


ContextDep = Annotated[GatewayContext, Depends(get_context)]


async def get_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
    """A session for this request; the endpoint opens the transaction it needs."""
    async with context.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_reader(context: ContextDep) -> AsyncIterator[AsyncSession]:
    """A read-only session (autocommit) for this request."""
    async with context.reader() as session:
        yield session


ReaderDep = Annotated[AsyncSession, Depends(get_reader)]

_bearer = HTTPBearer(
    auto_error=False, description="An access token from POST /auth/login (or auth's API)."
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def current_requester(context: ContextDep, credentials: BearerDep) -> Requester:
    """Who is asking: no token → a guest; a valid token → its user; a bad one → 401."""
    if credentials is None:
        return Requester()
    return Requester(await context.verifier.verify(credentials.credentials))


CurrentUser = Annotated[Requester, Depends(current_requester)]


async def signed_in(requester: CurrentUser) -> uuid.UUID:
    """The signed-in user's id; 401 for guests."""
    if requester.user_id is None:
        raise NotSignedIn()
    return requester.user_id


SignedInUser = Annotated[uuid.UUID, Depends(signed_in)]


def client_address(request: Request) -> str | None:
    """The caller's address (uvicorn already resolved trusted X-Forwarded-For)."""
    return request.client.host if request.client else None
