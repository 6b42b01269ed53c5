"""HTTP endpoints: decode, call one service function, encode.

Two sets of paths: ``/auth/*`` as the first backend's clients call them (the
gateway proxies them at its base URL), and ``/api/v1/auth/*``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pind_auth.clients import resolve_client
from pind_auth.schemas import (
    NO_CONTROL_CHARACTERS,
    Accepted,
    AccountResponse,
    ChangePasswordRequest,
    Credentials,
    DeleteAccountRequest,
    ErrorResponse,
    Jwks,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    TokenResponse,
    ValidationErrorResponse,
)
from pind_auth.security.keys import KeyRing
from pind_auth.security.tokens import AccessClaims
from pind_auth.service import AuthService, TokenPair

REGISTERED = (
    "Registration received. If the address was new, the account is ready and you can "
    "sign in; if it already had an account, its owner has been told by e-mail."
)
RESET_REQUESTED = (
    "If an account uses this address, a reset link is on its way; it works once and expires soon."
)
PASSWORD_RESET = "Your password was changed; sign in with the new one."  # noqa: S105


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    described: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in codes
    }
    for always in (400, 413):
        described.setdefault(always, {"model": ErrorResponse, "description": _DESCRIPTIONS[always]})
    described[422] = {"model": ValidationErrorResponse, "description": "Invalid request"}
    return described


_DESCRIPTIONS = {
    400: "The body cannot be parsed (or, for a reset, the token is invalid, used or expired)",
    401: "Not authenticated, or wrong credentials",
    413: "The body is larger than the limit",
    429: "Too many failed attempts or registrations from this client (see Retry-After)",
    503: "Busy: too many password checks queued (see Retry-After)",
}


# Dependencies are `async def` so that FastAPI runs them on the loop, not in a thread.
async def service(request: Request) -> AuthService:
    return request.app.state.service  # type: ignore[no-any-return]


ServiceDep = Annotated[AuthService, Depends(service)]
_bearer = HTTPBearer(auto_error=False, description="An access token from /api/v1/auth/token")


async def access_claims(
    auth: ServiceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AccessClaims:
    return auth.sessions.authenticate(credentials.credentials if credentials else None)


ClaimsDep = Annotated[AccessClaims, Depends(access_claims)]


async def client_address(request: Request) -> str | None:
    """The caller's address: the peer's, or, when the peer is a trusted proxy
    (the gateway), the last untrusted hop recorded in X-Forwarded-For."""
    return resolve_client(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        request.app.state.settings.trusted_proxies,
    )


ClientDep = Annotated[str | None, Depends(client_address)]


def _tokens(pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        token_type=pair.token_type,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )


FormUsername = Annotated[str, Form(min_length=1, max_length=320, pattern=NO_CONTROL_CHARACTERS)]
FormPassword = Annotated[str, Form(min_length=1, max_length=1024)]


# --- handlers both sets of paths share (routed below) ------------------------------------
async def register(body: Credentials, auth: ServiceDep, client: ClientDep) -> Accepted:
    await auth.accounts.register(body.email, body.password, client)
    return Accepted(detail=REGISTERED)


async def request_reset(body: PasswordResetRequest, auth: ServiceDep) -> Accepted:
    await auth.resets.request(body.email)
    return Accepted(detail=RESET_REQUESTED)


async def confirm_reset(body: PasswordResetConfirm, auth: ServiceDep) -> Accepted:
    await auth.resets.reset_password(body.token, body.new_password)
    return Accepted(detail=PASSWORD_RESET)


# --- the first backend's paths --------------------------------------------------------------
legacy = APIRouter(prefix="/auth", tags=["legacy"])
legacy.post(
    "/register",
    status_code=status.HTTP_202_ACCEPTED,
    responses=_errors(429, 503),
    summary="Create an account (same answer whether or not the address was taken)",
)(register)
legacy.post(
    "/request-password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    responses=_errors(),
    summary="Mail a password reset link (same answer for every address)",
)(request_reset)
legacy.post(
    "/reset-password", responses=_errors(400, 503), summary="Set a new password with a reset token"
)(confirm_reset)


@legacy.post(
    "/login",
    responses=_errors(401, 429, 503),
    summary="OAuth2 password grant (form: username, password)",
)
async def legacy_login(
    username: FormUsername, password: FormPassword, auth: ServiceDep, client: ClientDep
) -> TokenResponse:
    return _tokens(await auth.sessions.login(username, password, client, legacy_client=True))


# --- /api/v1/auth ------------------------------------------------------------------------
v1 = APIRouter(prefix="/api/v1/auth", tags=["auth"])
v1.post(
    "/register",
    status_code=status.HTTP_202_ACCEPTED,
    responses=_errors(429, 503),
    summary="Create an account",
)(register)
v1.post(
    "/password-reset/request",
    status_code=status.HTTP_202_ACCEPTED,
    responses=_errors(),
    summary="Mail a password reset link",
)(request_reset)
v1.post("/password-reset/confirm", responses=_errors(400, 503), summary="Set a new password")(
    confirm_reset
)


@v1.post(
    "/token",
    responses=_errors(401, 429, 503),
    summary="OAuth2 password grant (form: username, password)",
)
async def token(
    username: FormUsername, password: FormPassword, auth: ServiceDep, client: ClientDep
) -> TokenResponse:
    return _tokens(await auth.sessions.login(username, password, client))


@v1.post("/login", responses=_errors(401, 429, 503), summary="Sign in with a JSON body")
async def login(body: Credentials, auth: ServiceDep, client: ClientDep) -> TokenResponse:
    return _tokens(await auth.sessions.login(body.email, body.password, client))


@v1.post("/refresh", responses=_errors(401), summary="Rotate a refresh token")
async def refresh(body: RefreshRequest, auth: ServiceDep) -> TokenResponse:
    return _tokens(await auth.sessions.refresh(body.refresh_token))


@v1.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(),
    summary="End the session of a refresh token",
)
async def logout(body: RefreshRequest, auth: ServiceDep) -> Response:
    await auth.sessions.logout(body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@v1.get("/me", responses=_errors(401), summary="The signed-in account")
async def me(claims: ClaimsDep, auth: ServiceDep) -> AccountResponse:
    account = await auth.accounts.account(claims)
    return AccountResponse(id=account.id, email=account.email, created_at=account.created_at)


@v1.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(401, 429, 503),
    summary="Change the password; other sessions end",
)
async def change_password(
    body: ChangePasswordRequest, claims: ClaimsDep, auth: ServiceDep, client: ClientDep
) -> Response:
    await auth.accounts.change_password(claims, body.current_password, body.new_password, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@v1.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(401, 429, 503),
    summary="Delete the account (the password again in the body)",
)
async def delete_account(
    body: DeleteAccountRequest, claims: ClaimsDep, auth: ServiceDep, client: ClientDep
) -> Response:
    await auth.accounts.delete_account(claims, body.password, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- keys ---------------------------------------------------------------------------------
keys = APIRouter(tags=["keys"])


@keys.get("/.well-known/jwks.json", summary="Public keys that verify access tokens")
async def jwks(request: Request, response: Response) -> Jwks:
    ring: KeyRing = request.app.state.key_ring
    response.headers["Cache-Control"] = (
        f"public, max-age={request.app.state.settings.jwks_max_age_s}"
    )
    return Jwks.model_validate(ring.jwks())
