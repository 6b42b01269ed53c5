"""Access tokens refused within seconds once their session ends (issue 13
finding 6), through the gateway against the real auth service, Kafka and
PostgreSQL: after a logout, a password change (the other sessions), a reset
and an account deletion the old token answers 401 ``token_revoked``; a new
gateway instance refuses it too (the deny list is in the database); and
history a deleted user's in-flight request writes after the deletion is erased.

Before the deny list every one of these tokens kept working until it expired
(10 minutes, an hour for the first backend's clients), and the late history
row stayed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from pind_auth.security.tokens import digest, new_opaque_token
from pind_auth.settings import AuthSettings
from pind_gateway.app import create_app
from pind_gateway.auth.denials import DenyList
from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.models import UserHistory, Video
from pind_gateway.settings import GatewaySettings

PASSWORD = "correct horse battery 9"
NEW_PASSWORD = "another long pass phrase 7"
WITHIN_S = 10.0


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Account:
    """A fresh account used through the gateway from one client address."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.email = f"rv-{uuid.uuid4().hex[:12]}@tests.example.com"
        self.password = PASSWORD

    async def register(self) -> None:
        body = {"email": self.email, "password": self.password}
        registered = await self.http.post("/api/v1/auth/register", json=body)
        assert registered.status_code == 202, registered.text

    async def login(self) -> dict[str, Any]:
        body = {"email": self.email, "password": self.password}
        answer = await self.http.post("/api/v1/auth/login", json=body)
        assert answer.status_code == 200, answer.text
        tokens: dict[str, Any] = answer.json()
        return tokens

    async def history(self, token: str, via: httpx.AsyncClient | None = None) -> httpx.Response:
        return await (via or self.http).get("/api/v1/me/history", headers=bearer(token))


@pytest.fixture
async def account(app: FastAPI, events: Any) -> AsyncIterator[Account]:
    async with events.client_at(app) as http:
        created = Account(http)
        await created.register()
        yield created


def claims(token: str) -> dict[str, Any]:
    found: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return found


async def denied_within(app: FastAPI, token: str) -> float:
    """Seconds until the gateway's deny list refuses ``token`` (at most WITHIN_S)."""
    denials: DenyList = app.state.denials
    said = claims(token)
    started = time.monotonic()
    async with asyncio.timeout(WITHIN_S):
        while not denials.refuses(uuid.UUID(said["sub"]), uuid.UUID(said["sid"]), int(said["iat"])):
            await denials.next_change()
    return time.monotonic() - started


async def refused_within(
    account: Account, app: FastAPI, token: str, via: httpx.AsyncClient | None = None
) -> float:
    """Seconds until the deny list refuses ``token``; then it answers 401 token_revoked."""
    took = await denied_within(app, token)
    answer = await account.history(token, via)
    assert answer.status_code == 401, answer.text
    assert answer.json()["code"] == "token_revoked"
    assert "revoked" in answer.json()["detail"]
    assert answer.headers["www-authenticate"].startswith("Bearer")
    print(f"refused {took:.3f} s after the action")
    return took


async def test_logout_refuses_that_sessions_token_only(account: Account, app: FastAPI) -> None:
    ended, other = await account.login(), await account.login()
    assert (await account.history(ended["access_token"])).status_code == 200  # cached as valid
    out = await account.http.post(
        "/api/v1/auth/logout", json={"refresh_token": ended["refresh_token"]}
    )
    assert out.status_code == 204
    await refused_within(account, app, ended["access_token"])
    assert (await account.history(other["access_token"])).status_code == 200


async def test_a_password_change_refuses_the_other_sessions_tokens(
    account: Account, app: FastAPI
) -> None:
    kept, ended = await account.login(), await account.login()
    changed = await account.http.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(kept["access_token"]),
    )
    assert changed.status_code == 204, changed.text
    await refused_within(account, app, ended["access_token"])
    assert (await account.history(kept["access_token"])).status_code == 200


async def test_a_reset_refuses_every_earlier_token(
    account: Account, app: FastAPI, auth_settings: AuthSettings
) -> None:
    sessions = [await account.login(), await account.login()]
    user_id = uuid.UUID(
        jwt.decode(sessions[0]["access_token"], options={"verify_signature": False})["sub"]
    )
    reset_token = await _planted_reset_token(auth_settings, user_id)  # what the mail carries
    reset = await account.http.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": reset_token, "new_password": NEW_PASSWORD},
    )
    assert reset.status_code == 200, reset.text
    for session in sessions:
        await refused_within(account, app, session["access_token"])
    account.password = NEW_PASSWORD
    fresh = await account.login()  # often within the reset's second: still accepted
    assert (await account.history(fresh["access_token"])).status_code == 200


async def test_deletion_refuses_the_token_and_a_new_instance_does_too(
    account: Account,
    app: FastAPI,
    settings: GatewaySettings,
    auth_app: FastAPI,
    events: Any,
) -> None:
    token = (await account.login())["access_token"]
    gone = await account.http.request(
        "DELETE", "/api/v1/auth/me", json={"password": PASSWORD}, headers=bearer(token)
    )
    assert gone.status_code == 204, gone.text
    await refused_within(account, app, token)

    # A gateway started afterwards (a restart) reads the deny list before it
    # accepts any token.
    restarted = create_app(
        settings.model_copy(update={"run_projection": False}),
        auth_transport=httpx.ASGITransport(app=auth_app),
    )
    async with restarted.router.lifespan_context(restarted), events.client_at(restarted) as http:
        answer = await account.history(token, via=http)
        assert answer.status_code == 401 and answer.json()["code"] == "token_revoked"
        other = Account(http)
        await other.register()
        assert (
            await other.history((await other.login())["access_token"], via=http)
        ).status_code == 200


async def test_history_a_deleted_users_late_request_wrote_is_erased(
    account: Account, app: FastAPI, context: GatewayContext, events: Any
) -> None:
    token = (await account.login())["access_token"]
    user_id = uuid.UUID(claims(token)["sub"])
    with context.watch.subscribe(user_id) as projected:  # the projection erased the history
        gone = await account.http.request(
            "DELETE", "/api/v1/auth/me", json={"password": PASSWORD}, headers=bearer(token)
        )
        assert gone.status_code == 204
        await asyncio.wait_for(projected.wait(), WITHIN_S)
    await denied_within(app, token)

    # A submission whose token was checked just before the deny list knew
    # writes its history row now, after the deletion was projected.
    video_id = events.video_id()
    async with context.sessionmaker() as session, session.begin():
        session.add(Video(video_id=video_id, url=f"https://www.youtube.com/watch?v={video_id}"))
        await session.flush()
        session.add(
            UserHistory(
                user_id=user_id,
                video_id=video_id,
                job_id=uuid.uuid4(),
                created_at=datetime.now(UTC),
            )
        )
        await session.flush()
        # Counted inside the writing transaction: once it commits, the sweep
        # may erase the row before any other reader sees it.
        assert await _history_rows(session, user_id) == 1

    async def rows() -> int:
        async with context.reader() as session:
            return await _history_rows(session, user_id)

    async with asyncio.timeout(WITHIN_S):
        while await rows():  # noqa: ASYNC110 (the sweep signals nothing a test can await)
            await asyncio.sleep(0.05)


async def _history_rows(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).select_from(UserHistory).where(UserHistory.user_id == user_id)
    )
    return int(count or 0)


async def _planted_reset_token(settings: AuthSettings, user_id: uuid.UUID) -> str:
    """A reset token as auth mails it, written where auth keeps it (the tests'
    auth sends no mail)."""
    token = new_opaque_token()
    now = datetime.now(UTC)
    engine = create_async_engine(settings.database_url.get_secret_value())
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO auth.reset_tokens (id, token_hash, user_id, created_at, expires_at)"
                    " VALUES (:id, :hash, :user, :now, :expires)"
                ),
                {
                    "id": uuid.uuid4(),
                    "hash": digest(token),
                    "user": user_id,
                    "now": now,
                    "expires": now + timedelta(minutes=10),
                },
            )
    finally:
        await engine.dispose()
    return token
