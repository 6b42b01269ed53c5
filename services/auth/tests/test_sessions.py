"""Register, sign in (legacy form, OAuth2 token endpoint, JSON), refresh with
rotation and reuse detection, log out, change password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI


async def test_register_and_login_as_the_legacy_client_does(
    api: Any, new_email: Callable[[], str], auth_app: FastAPI
) -> None:
    address = new_email()
    await api.register(address)

    body = await api.login(address)

    assert set(body) == {"access_token", "token_type", "refresh_token", "expires_in"}
    assert body["token_type"] == "bearer"
    # The legacy client never refreshes: its tokens live longer than the default.
    assert body["expires_in"] == auth_app.state.settings.legacy_access_token_ttl_s
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    me = await api.me(body["access_token"])
    assert me.status_code == 200
    assert me.json()["email"] == address
    assert claims["sub"] == me.json()["id"]


async def test_email_is_matched_without_regard_to_case_and_spaces(
    api: Any, new_email: Callable[[], str]
) -> None:
    local, domain = new_email().split("@")
    written = f"  {local.capitalize()}@{domain.upper()} "
    await api.register(written)

    body = await api.login(f"{local.upper()}@{domain}")
    me = (await api.me(body["access_token"])).json()

    assert me["email"] == f"{local.capitalize()}@{domain}"  # kept as written, domain lowered


async def test_token_endpoint_and_json_login_answer_like_the_legacy_login(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str]
) -> None:
    address = new_email()
    await api.register(address)

    form = await client.post(
        "/api/v1/auth/token",
        data={"username": address, "password": api.password, "grant_type": "password"},
    )
    json_login = await client.post(
        "/api/v1/auth/login", json={"email": address, "password": api.password}
    )

    for response in (form, json_login):
        assert response.status_code == 200, response.text
        assert response.json()["expires_in"] == 600
        assert (await api.me(response.json()["access_token"])).status_code == 200


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(
    api: Any, new_email: Callable[[], str]
) -> None:
    address = new_email()
    await api.register(address)
    first = await api.login(address)

    rotated = await api.refresh(first["refresh_token"])
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await api.me(second["access_token"])).status_code == 200

    # The spent token comes back: someone has a copy. The family ends...
    reused = await api.refresh(first["refresh_token"])
    assert reused.status_code == 401
    assert reused.json()["code"] == "invalid_refresh_token"
    # ...including the newest token, which the thief may hold too.
    after = await api.refresh(second["refresh_token"])
    assert after.status_code == 401


async def test_reuse_in_one_session_leaves_other_sessions_alone(
    api: Any, new_email: Callable[[], str]
) -> None:
    address = new_email()
    await api.register(address)
    laptop = await api.login(address)
    phone = await api.login(address)

    assert (await api.refresh(laptop["refresh_token"])).status_code == 200
    assert (await api.refresh(laptop["refresh_token"])).status_code == 401

    assert (await api.refresh(phone["refresh_token"])).status_code == 200


async def test_logout_ends_the_session(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str]
) -> None:
    address = new_email()
    await api.register(address)
    session = await api.login(address)

    out = await client.post("/api/v1/auth/logout", json={"refresh_token": session["refresh_token"]})
    again = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": session["refresh_token"]}
    )

    assert out.status_code == 204
    assert again.status_code == 204
    assert (await api.refresh(session["refresh_token"])).status_code == 401


async def test_unknown_refresh_token_is_refused(api: Any) -> None:
    response = await api.refresh("not-a-token-we-issued")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The session has ended; sign in again.",
        "code": "invalid_refresh_token",
    }


async def test_change_password_ends_other_sessions_but_not_this_one(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str]
) -> None:
    address = new_email()
    await api.register(address)
    here = await api.login(address)
    elsewhere = await api.login(address)

    wrong = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "not my password at all", "new_password": api.other_password},
        headers={"Authorization": f"Bearer {here['access_token']}"},
    )
    changed = await client.post(
        "/api/v1/auth/password",
        json={"current_password": api.password, "new_password": api.other_password},
        headers={"Authorization": f"Bearer {here['access_token']}"},
    )

    assert wrong.status_code == 401
    assert changed.status_code == 204, changed.text
    assert (await api.refresh(elsewhere["refresh_token"])).status_code == 401
    assert (await api.refresh(here["refresh_token"])).status_code == 200
    assert (await api.login_response(address, api.password)).status_code == 401
    await api.login(address, api.other_password)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short1", "password_too_short"),
        ("x" * 129 + "yz", "password_too_long"),
        ("password123", "password_common"),
        ("Sunshine2024!", "password_common"),
        ("zzzzzzzzzzzz", "password_repetitive"),
    ],
)
async def test_weak_passwords_are_refused_with_a_reason(
    client: httpx.AsyncClient, new_email: Callable[[], str], password: str, rule: str
) -> None:
    response = await client.post(
        "/auth/register", json={"email": new_email(), "password": password}
    )
    assert response.status_code == 422
    assert response.json()["code"] == rule
    assert response.json()["detail"]


async def test_password_built_from_the_address_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/auth/register",
        json={"email": "minji.park@tests.example.com", "password": "minji.park2024"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "password_like_email"


async def test_invalid_address_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/auth/register", json={"email": "not-an-address", "password": "plum-orchard-lantern-42"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_email"


async def test_validation_errors_carry_detail_and_code(client: httpx.AsyncClient) -> None:
    response = await client.post("/auth/register", json={"email": "a@b.example.com"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert "password" in body["detail"]
