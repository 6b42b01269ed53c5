"""Password reset by e-mail: the mail really goes over SMTP (aiosmtpd here),
the token in it works once, not after it expires, and ends every session."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI

TOKEN_IN_MAIL = re.compile(r"reset code: (\S+)")


def _token_from(message: Any) -> str:
    body = message.get_content()
    link = re.search(r"\?token=(\S+)", body)
    code = TOKEN_IN_MAIL.search(body)
    assert link is not None and code is not None, body
    assert link.group(1) == code.group(1)
    return code.group(1)


async def test_reset_by_mailed_token_sets_the_password_and_ends_sessions(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str], mailbox: Any
) -> None:
    address = new_email()
    await api.register(address)
    session = await api.login(address)

    asked = await client.post("/auth/request-password-reset", json={"email": address.upper()})
    assert asked.status_code == 202
    mail = await mailbox.wait_for(address)
    assert mail["Subject"] == "Reset your pind password"
    token = _token_from(mail)

    reset = await client.post(
        "/auth/reset-password", json={"token": token, "new_password": api.other_password}
    )

    assert reset.status_code == 200, reset.text
    assert (await api.refresh(session["refresh_token"])).status_code == 401
    assert (await api.login_response(address, api.password)).status_code == 401
    await api.login(address, api.other_password)


async def test_a_reset_token_works_once(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str], mailbox: Any
) -> None:
    address = new_email()
    await api.register(address)
    await client.post("/api/v1/auth/password-reset/request", json={"email": address})
    token = _token_from(await mailbox.wait_for(address))

    first = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": api.other_password},
    )
    second = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "password": "a third password, long enough"},
    )

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["code"] == "invalid_reset_token"
    await api.login(address, api.other_password)


async def test_a_newer_request_voids_the_older_link(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str], mailbox: Any
) -> None:
    address = new_email()
    await api.register(address)
    await client.post("/auth/request-password-reset", json={"email": address})
    older = _token_from(await mailbox.wait_for(address))
    await client.post("/auth/request-password-reset", json={"email": address})
    newer = _token_from(await mailbox.wait_for(address, count=2))

    stale = await client.post(
        "/auth/reset-password", json={"token": older, "new_password": api.other_password}
    )
    fresh = await client.post(
        "/auth/reset-password", json={"token": newer, "new_password": api.other_password}
    )

    assert stale.status_code == 400
    assert fresh.status_code == 200


async def test_an_expired_reset_token_is_refused(
    app_factory: Any, new_email: Callable[[], str], mailbox: Any, make_api: Any, clock: Any
) -> None:
    address = new_email()
    async with app_factory(clock=clock, reset_token_ttl_s=300) as (_app, http):
        api = make_api(http)
        await api.register(address)
        await http.post("/auth/request-password-reset", json={"email": address})
        token = _token_from(await mailbox.wait_for(address))
        clock.advance(301)

        late = await http.post(
            "/auth/reset-password", json={"token": token, "new_password": api.other_password}
        )
        clock.advance(-301)

        assert late.status_code == 400
        assert late.json()["code"] == "invalid_reset_token"
        await api.login(address)  # the password did not change


async def test_reset_refuses_a_weak_new_password_and_keeps_the_token(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str], mailbox: Any
) -> None:
    address = new_email()
    await api.register(address)
    await client.post("/auth/request-password-reset", json={"email": address})
    token = _token_from(await mailbox.wait_for(address))

    weak = await client.post(
        "/auth/reset-password", json={"token": token, "new_password": "qwertyuiop"}
    )
    strong = await client.post(
        "/auth/reset-password", json={"token": token, "new_password": api.other_password}
    )

    assert weak.status_code == 422
    assert weak.json()["code"] == "password_common"
    assert strong.status_code == 200


async def test_unknown_address_gets_the_same_answer_and_no_mail(
    client: httpx.AsyncClient,
    api: Any,
    new_email: Callable[[], str],
    mailbox: Any,
    auth_app: FastAPI,
) -> None:
    known, unknown = new_email(), new_email()
    await api.register(known)

    for_unknown = await client.post("/auth/request-password-reset", json={"email": unknown})
    for_known = await client.post("/auth/request-password-reset", json={"email": known})
    await mailbox.wait_for(known)
    await auth_app.state.service.drain_mail()

    assert for_unknown.status_code == for_known.status_code == 202
    assert for_unknown.json() == for_known.json()
    assert mailbox.to(unknown) == []
