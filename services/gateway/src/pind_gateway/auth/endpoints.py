"""The first backend's ``/auth/*`` calls at the gateway's base URL, forwarded to
the auth service (which answers in the shapes those clients read)."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response, status

from pind_gateway.adapters.auth_service import Forwarded
from pind_gateway.auth.schemas import Accepted, Credentials, ResetConfirm, ResetRequest, Tokens
from pind_gateway.deps import ContextDep, client_address
from pind_gateway.schemas import error_responses

router = APIRouter(prefix="/auth", tags=["legacy"])

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _answer(forwarded: Forwarded) -> Response:
    return Response(forwarded.body, status_code=forwarded.status_code, headers=forwarded.headers)


async def _forward(
    context: ContextDep, request: Request, path: str, content: bytes, content_type: str
) -> Response:
    forwarded = await context.auth.forward(
        path,
        content=content,
        content_type=content_type,
        client_address=client_address(request),
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
