"""The ``/auth/*`` bodies as the first backend's clients send and read them, and
the ``/api/v1/auth/*`` ones (the auth service owns their meaning; the gateway
checks shape and forwards)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

Email = Annotated[str, Field(min_length=1, max_length=320, examples=["jane@example.com"])]
Password = Annotated[str, Field(min_length=1, max_length=1024)]


class Credentials(BaseModel):
    email: Email
    password: Password


class ResetRequest(BaseModel):
    email: Email


class ResetConfirm(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    token: str = Field(min_length=1, max_length=256, description="From the reset e-mail.")
    new_password: Password = Field(validation_alias=AliasChoices("new_password", "password"))


class Accepted(BaseModel):
    detail: str = Field(description="What happened, for people.")


class Tokens(BaseModel):
    access_token: str
    token_type: str = Field(examples=["bearer"])
    refresh_token: str | None = None
    expires_in: int | None = Field(default=None, description="Seconds the access token lasts.")


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=256)


class ChangePassword(BaseModel):
    current_password: Password
    new_password: Password


class DeleteAccount(BaseModel):
    password: Password = Field(description="The account's password, asked again.")


class Account(BaseModel):
    id: uuid.UUID
    email: str
    created_at: datetime
