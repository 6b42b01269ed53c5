"""The rate limit as a dependency: the requester, once their submission fits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from pind_gateway.core.deps import ContextDep, CurrentUser, client_address
from pind_gateway.domain.requester import Requester
from pind_gateway.limits.service import Quotas, charge_submission


def quotas_of(app: FastAPI) -> Quotas:
    """The budgets the app was configured with (``app.state.quotas``)."""
    quotas: Quotas = app.state.quotas
    return quotas


async def submission_quota(
    request: Request, context: ContextDep, requester: CurrentUser
) -> Requester:
    """The requester, once this submission fits their rate limit (else 429)."""
    await charge_submission(
        context.reader, quotas_of(request.app), requester, client_address(request)
    )
    return requester


QuotedUser = Annotated[Requester, Depends(submission_quota)]


async def guest_quota(request: Request, context: ContextDep) -> Requester:
    """A guest, once this submission fits the guests' rate limit (else 429)."""
    guest = Requester()
    await charge_submission(context.reader, quotas_of(request.app), guest, client_address(request))
    return guest


QuotedGuest = Annotated[Requester, Depends(guest_quota)]
