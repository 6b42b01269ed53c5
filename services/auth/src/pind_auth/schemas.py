"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

# Long enough for any password the policy accepts (and a margin for NFKC);
# short enough that nobody makes us hash a megabyte.
PasswordText = Annotated[str, Field(min_length=1, max_length=1024)]
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"
"""No address has control characters, and PostgreSQL refuses NUL in text:
refused as a 422 before anything is looked up or stored."""
EmailText = Annotated[
    str,
    Field(
        min_length=3,
        max_length=254,
        pattern=NO_CONTROL_CHARACTERS,
        examples=["jane@example.com"],
        json_schema_extra={"format": "email"},
    ),
]


class Credentials(BaseModel):
    email: EmailText
    password: PasswordText


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=256)


class ChangePasswordRequest(BaseModel):
    current_password: PasswordText
    new_password: PasswordText


class DeleteAccountRequest(BaseModel):
    password: PasswordText


class PasswordResetRequest(BaseModel):
    email: EmailText


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    token: str = Field(min_length=1, max_length=256)
    # The first backend's clients may send either name.
    new_password: str = Field(
        min_length=1, max_length=1024, validation_alias=AliasChoices("new_password", "password")
    )


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = Field(examples=["bearer"])
    refresh_token: str
    expires_in: int = Field(description="Seconds until the access token expires.")


class Accepted(BaseModel):
    detail: str


class AccountResponse(BaseModel):
    id: UUID
    email: str
    created_at: datetime


class ErrorResponse(BaseModel):
    detail: str
    code: str


class ValidationErrorResponse(ErrorResponse):
    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="Each invalid field (request validation only)."
    )


class Jwk(BaseModel):
    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str


class Jwks(BaseModel):
    keys: list[Jwk]
