"""The auth service's calls through the gateway: the first backend's ``/auth/*``
at the base URL (answered in the shapes those clients read), and the account
API under ``/api/v1/auth/*`` (sign-in, refresh, logout, password change,
account deletion, password reset). The gateway checks the shape, names the
client in ``X-Forwarded-For`` (auth throttles per client) and forwards."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response, status

from pind_gateway.adapters.auth_service import Forwarded
from pind_gateway.auth.schemas import (
    Accepted,
    Account,
    ChangePassword,
    Credentials,
    DeleteAccount,
    RefreshRequest,
    ResetConfirm,
    ResetRequest,
    Tokens,
)
from pind_gateway.core.deps import BearerDep, ContextDep, client_address
from pind_gateway.core.schemas import error_responses

router = APIRouter(prefix="/auth", tags=["legacy"])

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _answer(forwarded: Forwarded) -> Response:
    return Response(forwarded.body, status_code=forwarded.status_code, headers=forwarded.headers)


async def _forward(
    context: ContextDep,
    request: Request,
    path: str,
    content: bytes = b"",
    content_type: str | None = JSON,
    *,
    method: str = "POST",
    bearer: BearerDep = None,
) -> Response:
    forwarded = await context.auth.forward(
        path,
        method=method,
        content=content,
        content_type=content_type if content else None,
        client_address=client_address(request),
        authorization=f"Bearer {bearer.credentials}" if bearer else None,
    )
    return _answer(forwarded)


@router.post(
    "/register",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Create an account",
    response_model=Accepted,
    responses=error_responses(422, 429, 503),
)
async def register(body: Credentials, request: Request, context: ContextDep) -> Response:
    content = body.model_dump_json().encode()
    return await _forward(context, request, "/auth/register", content, JSON)


@router.post(
    "/login",
    summary="Sign in (OAuth2 password form: username = e-mail, password)",
    response_model=Tokens,
    responses=error_responses(401, 422, 429, 503),
)
async def login(
    username: Annotated[str, Form(min_length=1, max_length=320)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    request: Request,
    context: ContextDep,
) -> Response:
    content = urlencode({"username": username, "password": password}).encode()
    return await _forward(context, request, "/auth/login", content, FORM)


@router.post(
    "/request-password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Mail a password reset link",
    response_model=Accepted,
    responses=error_responses(422, 429, 503),
)
async def request_password_reset(
    body: ResetRequest, request: Request, context: ContextDep
) -> Response:
    content = body.model_dump_json().encode()
    return await _forward(context, request, "/auth/request-password-reset", content, JSON)


@router.post(
    "/reset-password",
    summary="Set a new password with the mailed token",
    response_model=Accepted,
    responses=error_responses(400, 422, 503),
)
async def reset_password(body: ResetConfirm, request: Request, context: ContextDep) -> Response:
    content = json.dumps({"token": body.token, "new_password": body.new_password}).encode()
    return await _forward(context, request, "/auth/reset-password", content, JSON)


# --- /api/v1/auth: the account API -------------------------------------------------------
v1_router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
ACCOUNT_ERRORS = (401, 413, 422, 429, 503)


@v1_router.post(
    "/register",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Create an account (same answer whether or not the address was taken)",
    response_model=Accepted,
    responses=error_responses(413, 422, 429, 503),
)
async def v1_register(body: Credentials, request: Request, context: ContextDep) -> Response:
    return await _forward(
        context, request, "/api/v1/auth/register", body.model_dump_json().encode()
    )


@v1_router.post(
    "/token",
    summary="OAuth2 password grant (form: username = e-mail, password)",
    response_model=Tokens,
    responses=error_responses(*ACCOUNT_ERRORS),
)
async def v1_token(
    username: Annotated[str, Form(min_length=1, max_length=320)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    request: Request,
    context: ContextDep,
) -> Response:
    content = urlencode({"username": username, "password": password}).encode()
    return await _forward(context, request, "/api/v1/auth/token", content, FORM)


@v1_router.post(
    "/login",
    summary="Sign in with a JSON body",
    response_model=Tokens,
    responses=error_responses(*ACCOUNT_ERRORS),
)
async def v1_login(body: Credentials, request: Request, context: ContextDep) -> Response:
    return await _forward(context, request, "/api/v1/auth/login", body.model_dump_json().encode())


@v1_router.post(
    "/refresh",
    summary="Rotate a refresh token (a spent one presented again ends the session)",
    response_model=Tokens,
    responses=error_responses(401, 413, 422, 503),
)
async def v1_refresh(body: RefreshRequest, request: Request, context: ContextDep) -> Response:
    return await _forward(context, request, "/api/v1/auth/refresh", body.model_dump_json().encode())


@v1_router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the session of a refresh token",
    response_class=Response,
    responses=error_responses(413, 422, 503),
)
async def v1_logout(body: RefreshRequest, request: Request, context: ContextDep) -> Response:
    return await _forward(context, request, "/api/v1/auth/logout", body.model_dump_json().encode())


@v1_router.get(
    "/me",
    summary="The signed-in account",
    response_model=Account,
    responses=error_responses(401, 503),
)
async def v1_me(request: Request, context: ContextDep, bearer: BearerDep) -> Response:
    return await _forward(
        context, request, "/api/v1/auth/me", content_type=None, method="GET", bearer=bearer
    )


@v1_router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change the password (the current one again); other sessions end",
    response_class=Response,
    responses=error_responses(*ACCOUNT_ERRORS),
)
async def v1_change_password(
    body: ChangePassword, request: Request, context: ContextDep, bearer: BearerDep
) -> Response:
    content = body.model_dump_json().encode()
    return await _forward(context, request, "/api/v1/auth/password", content, bearer=bearer)


@v1_router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete the account (the password again in the body); its history goes too",
    response_class=Response,
    responses=error_responses(*ACCOUNT_ERRORS),
)
async def v1_delete_account(
    body: DeleteAccount, request: Request, context: ContextDep, bearer: BearerDep
) -> Response:
    content = body.model_dump_json().encode()
    return await _forward(
        context, request, "/api/v1/auth/me", content, method="DELETE", bearer=bearer
    )


@v1_router.post(
    "/password-reset/request",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Mail a password reset link (same answer for every address)",
    response_model=Accepted,
    responses=error_responses(413, 422, 429, 503),
)
async def v1_request_reset(body: ResetRequest, request: Request, context: ContextDep) -> Response:
    content = body.model_dump_json().encode()
    return await _forward(context, request, "/api/v1/auth/password-reset/request", content)


@v1_router.post(
    "/password-reset/confirm",
    summary="Set a new password with the mailed token",
    response_model=Accepted,
    responses=error_responses(400, 413, 422, 503),
)
async def v1_confirm_reset(body: ResetConfirm, request: Request, context: ContextDep) -> Response:
    content = json.dumps({"token": body.token, "new_password": body.new_password}).encode()
    return await _forward(context, request, "/api/v1/auth/password-reset/confirm", content)
