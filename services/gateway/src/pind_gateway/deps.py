"""FastAPI dependencies, as ``Annotated`` aliases the endpoints declare."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_gateway.service import Requester
from pind_gateway.settings import GatewaySettings
from pind_gateway.watch import AnalysisWatch


@dataclass(frozen=True, slots=True)
class GatewayContext:
    """What the app wires once and every request may use."""

    settings: GatewaySettings
    sessionmaker: async_sessionmaker[AsyncSession]
    watch: AnalysisWatch


def get_context(request: Request) -> GatewayContext:
    context: GatewayContext = request.app.state.gateway
    return context


ContextDep = Annotated[GatewayContext, Depends(get_context)]


async def get_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
    """A session for this request; the endpoint opens the transaction it needs."""
    async with context.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def current_requester() -> Requester:
    """Who is asking. Until the auth service exists every caller is a guest;
    the auth step replaces this with a check of the optional bearer token
    (a valid token → ``Requester(user_id)``, none → guest, a bad one → 401)."""
    return Requester()


CurrentUser = Annotated[Requester, Depends(current_requester)]
