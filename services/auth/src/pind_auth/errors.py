"""Typed errors of the auth service; one handler renders them as ``{detail, code}``.

Messages never tell whether an account exists: every credential failure reads
the same, whatever went wrong.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AuthError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    detail: ClassVar[str] = "The request could not be processed."

    def __init__(
        self, detail: str | None = None, *, code: str | None = None, log_reason: str | None = None
    ) -> None:
        self.message = detail or self.detail
        self.error_code = code or self.code
        self.log_reason = log_reason
        super().__init__(log_reason or self.message)

    def headers(self) -> dict[str, str]:
        return {}


class InvalidCredentials(AuthError):
    status = 401
    code = "invalid_credentials"
    detail = "Incorrect e-mail or password."

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class NotAuthenticated(AuthError):
    """A missing, expired or otherwise invalid access token."""

    status = 401
    code = "not_authenticated"
    detail = "Sign in again: the access token is missing, expired or invalid."

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class InvalidRefreshToken(AuthError):
    status = 401
    code = "invalid_refresh_token"
    detail = "The session has ended; sign in again."


class InvalidResetToken(AuthError):
    status = 400
    code = "invalid_reset_token"
    detail = "This reset link is invalid, used or expired; ask for a new one."


class WeakPassword(AuthError):
    """The code names the rule broken: password_too_short, password_common, ..."""

    status = 422
    code = "weak_password"


class InvalidEmail(AuthError):
    status = 422
    code = "invalid_email"
    detail = "That is not a valid e-mail address."


class TooManyAttempts(AuthError):
    status = 429
    code = "too_many_attempts"
    detail = "Too many failed sign-in attempts; try again later."

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"Too many failed sign-in attempts; try again in {retry_after_s} seconds.")
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class TooManyRegistrations(AuthError):
    status = 429
    code = "too_many_registrations"
    detail = "Too many accounts were created from your network; try again later."

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"Too many accounts were created from your network; try again in "
            f"{retry_after_s} seconds."
        )
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class Busy(AuthError):
    """Every password-hash slot is taken and the queue behind them is full."""

    status = 503
    code = "busy"
    detail = "The service is busy; try again in a moment."

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(log_reason="password-hash queue full")
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class BodyTooLarge(AuthError):
    status = 413
    code = "body_too_large"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"The request body is larger than {max_bytes} bytes.")


def body_too_large(max_bytes: int) -> tuple[int, dict[str, Any]]:
    """The 413 of :class:`pind_kit.http_limits.BodySizeLimit`, in auth's shape."""
    error = BodyTooLarge(max_bytes)
    return error.status, {"detail": error.message, "code": error.error_code}


class MailDeliveryError(RuntimeError):
    """The mail server could not be reached or refused the message (raised by
    the mail adapter; logged, never shown to a client)."""
