"""Each way a session ends is said on ``pind.user.v1`` as ``sessions_revoked``
(from the outbox, in the transaction that ended it), so the gateway can refuse
the session's access tokens before they expire: logout, a password change
(the other sessions, not the one that changed it), a reset (every session,
and every token issued before it) and a refresh token used twice."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import jwt

from pind_contracts import USER, UserChanged
from pind_kit.testing import TopicReader


def _sid(access_token: str) -> str:
    return str(jwt.decode(access_token, options={"verify_signature": False})["sid"])


def _user(access_token: str) -> str:
    return str(jwt.decode(access_token, options={"verify_signature": False})["sub"])


async def _revocations(reader: TopicReader, user_id: str, count: int = 1) -> list[UserChanged]:
    def revoked(records: list[Any]) -> list[UserChanged]:
        return [
            event
            for r in records
            if r.key == user_id.encode()
            and (event := UserChanged.model_validate_json(r.value or b"{}")).kind
            == "sessions_revoked"
        ]

    records = await reader.until(lambda seen: len(revoked(seen)) >= count, 30)
    return revoked(records)


async def test_logout_announces_its_session_once(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str], kafka_bootstrap: str
) -> None:
    address = new_email()
    await api.register(address)
    session = await api.login(address)
    user_id = _user(session["access_token"])
    async with TopicReader(kafka_bootstrap, USER.name) as reader:
        body = {"refresh_token": session["refresh_token"]}
        for _ in range(2):  # the second logout ends nothing
            assert (await client.post("/api/v1/auth/logout", json=body)).status_code == 204
        other = await api.login(address)  # a later event, to know the first is all there is
        again = {"refresh_token": other["refresh_token"]}
        assert (await client.post("/api/v1/auth/logout", json=again)).status_code == 204
        events = await _revocations(reader, user_id, count=2)
    assert [[str(s) for s in e.session_ids] for e in events] == [
        [_sid(session["access_token"])],
        [_sid(other["access_token"])],
    ]
    assert all(e.not_before is None for e in events)


async def test_a_password_change_announces_the_other_sessions(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str], kafka_bootstrap: str
) -> None:
    address = new_email()
    await api.register(address)
    kept, ended_a, ended_b = [await api.login(address) for _ in range(3)]
    user_id = _user(kept["access_token"])
    async with TopicReader(kafka_bootstrap, USER.name) as reader:
        changed = await client.post(
            "/api/v1/auth/password",
            json={"current_password": api.password, "new_password": api.other_password},
            headers={"Authorization": f"Bearer {kept['access_token']}"},
        )
        assert changed.status_code == 204, changed.text
        (event,) = await _revocations(reader, user_id)
    assert {str(s) for s in event.session_ids} == {
        _sid(ended_a["access_token"]),
        _sid(ended_b["access_token"]),
    }
    assert event.not_before is None  # the session that changed it goes on
    assert (await api.refresh(kept["refresh_token"])).status_code == 200


async def test_a_reset_announces_every_session_and_a_not_before(
    client: httpx.AsyncClient,
    api: Any,
    new_email: Callable[[], str],
    kafka_bootstrap: str,
    mailbox: Any,
) -> None:
    address = new_email()
    await api.register(address)
    sessions = [await api.login(address) for _ in range(2)]
    user_id = _user(sessions[0]["access_token"])
    await client.post("/api/v1/auth/password-reset/request", json={"email": address})
    code = re.search(r"reset code: (\S+)", (await mailbox.wait_for(address)).get_content())
    assert code is not None
    async with TopicReader(kafka_bootstrap, USER.name) as reader:
        reset = await client.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": code.group(1), "new_password": api.other_password},
        )
        assert reset.status_code == 200, reset.text
        (event,) = await _revocations(reader, user_id)
    assert {str(s) for s in event.session_ids} == {_sid(s["access_token"]) for s in sessions}
    assert event.not_before is not None and event.not_before == event.at
    issued = jwt.decode(sessions[1]["access_token"], options={"verify_signature": False})["iat"]
    assert datetime.fromtimestamp(issued, event.at.tzinfo) <= event.not_before


async def test_a_reused_refresh_token_announces_its_session(
    api: Any, new_email: Callable[[], str], kafka_bootstrap: str
) -> None:
    address = new_email()
    await api.register(address)
    session = await api.login(address)
    user_id = _user(session["access_token"])
    rotated = await api.refresh(session["refresh_token"])
    assert rotated.status_code == 200
    async with TopicReader(kafka_bootstrap, USER.name) as reader:
        assert (await api.refresh(session["refresh_token"])).status_code == 401  # reuse
        (event,) = await _revocations(reader, user_id)
    assert [str(s) for s in event.session_ids] == [_sid(session["access_token"])]
    payload = json.loads(event.model_dump_json())
    assert set(payload) == {"kind", "user_id", "at", "session_ids", "not_before"}
    assert uuid.UUID(payload["user_id"]) == uuid.UUID(user_id)


async def test_a_password_change_names_a_session_ended_less_than_a_token_life_ago(
    app_factory: Any,
    make_api: Any,
    clock: Any,
    new_email: Callable[[], str],
    kafka_bootstrap: str,
) -> None:
    """A session past its last refresh still has live access tokens (up to an
    access token's life): the sweep keeps its rows, so a password change
    still names it."""
    async with app_factory(clock=clock, session_max_age_s=60) as (app, http):
        api = make_api(http)
        address = new_email()
        await api.register(address)
        ended, kept = await api.login(address), await api.login(address)
        clock.advance(61)  # both families ended; their access tokens live on
        await app.state.service.sweep()
        user_id = _user(kept["access_token"])
        async with TopicReader(kafka_bootstrap, USER.name) as reader:
            changed = await http.post(
                "/api/v1/auth/password",
                json={"current_password": api.password, "new_password": api.other_password},
                headers={"Authorization": f"Bearer {kept['access_token']}"},
            )
            assert changed.status_code == 204, changed.text
            (event,) = await _revocations(reader, user_id)
    assert [str(s) for s in event.session_ids] == [_sid(ended["access_token"])]
