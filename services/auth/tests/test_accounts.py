"""Accounts: no enumeration through answers or timing, deletion published on
pind.user.v1 (real broker), rehash on login, schema matching the models."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from argon2 import PasswordHasher
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from pind_auth.models import Base
from pind_contracts import USER, Envelope
from pind_kit.testing import TopicReader


async def test_registering_a_taken_address_answers_the_same_and_mails_the_owner(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str], mailbox: Any
) -> None:
    taken, fresh = new_email(), new_email()
    await api.register(taken)

    again = await client.post(
        "/auth/register", json={"email": taken.upper(), "password": "another fine passphrase"}
    )
    new = await client.post("/auth/register", json={"email": fresh, "password": api.password})

    assert again.status_code == new.status_code == 202
    assert again.json() == new.json()
    notice = await mailbox.wait_for(taken)
    assert "already has one" in notice.get_content()
    await api.login(taken)  # the first owner's password still works


async def test_wrong_password_and_unknown_account_look_alike(
    api: Any, new_email: Callable[[], str]
) -> None:
    known = new_email()
    await api.register(known)

    wrong = await api.login_response(known, "not the password, sorry")
    unknown = await api.login_response(new_email(), "not the password, sorry")

    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            "detail": "Incorrect e-mail or password.",
            "code": "invalid_credentials",
        }
    )
    assert wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")


async def test_an_unknown_account_costs_a_password_hash_too(
    api: Any, new_email: Callable[[], str]
) -> None:
    known = new_email()
    await api.register(known)

    def verifications() -> float:
        count = REGISTRY.get_sample_value(
            "pind_auth_password_hash_seconds_count", {"operation": "verify"}
        )
        return count or 0.0

    before = verifications()
    started = time.perf_counter()
    assert (await api.login_response(known, "a wrong password!")).status_code == 401
    known_s = time.perf_counter() - started
    started = time.perf_counter()
    assert (await api.login_response(new_email(), "a wrong password!")).status_code == 401
    unknown_s = time.perf_counter() - started

    # Both paths ran one Argon2 verification (the unknown one against a decoy hash)...
    assert verifications() - before == 2
    # ...so neither answers in a fraction of the other's time.
    assert unknown_s > 0.3 * known_s, (known_s, unknown_s)


async def test_deleting_an_account_publishes_the_event_and_erases_it(
    client: httpx.AsyncClient,
    api: Any,
    new_email: Callable[[], str],
    kafka_bootstrap: str,
    base_settings: Any,
) -> None:
    address = new_email()
    await api.register(address)
    session = await api.login(address)
    user_id = (await api.me(session["access_token"])).json()["id"]
    headers = {"Authorization": f"Bearer {session['access_token']}"}

    async with TopicReader(kafka_bootstrap, USER.name) as reader:
        deleted = await client.request(
            "DELETE", "/api/v1/auth/me", json={"password": api.password}, headers=headers
        )
        assert deleted.status_code == 204, deleted.text
        records = await reader.until(lambda seen: any(r.key == user_id.encode() for r in seen), 30)

    record = next(r for r in records if r.key == user_id.encode())
    assert record.value is not None
    payload = json.loads(record.value)
    assert payload["kind"] == "deleted"
    assert payload["user_id"] == user_id
    envelope = Envelope.from_headers(record.headers)
    assert envelope.type == USER.event_type
    assert envelope.producer == "auth"
    assert envelope.subject == user_id
    assert set(payload) <= {"kind", "user_id", "at", "session_ids", "not_before"}  # ids only

    assert (await api.login_response(address)).status_code == 401
    assert (await api.refresh(session["refresh_token"])).status_code == 401
    assert (await api.me(session["access_token"])).status_code == 401
    engine = create_async_engine(base_settings.database_url.get_secret_value())
    async with engine.connect() as conn:
        left = await conn.execute(
            text(
                "SELECT (SELECT count(*) FROM auth.users WHERE id = :id)"
                " + (SELECT count(*) FROM auth.refresh_tokens WHERE user_id = :id)"
            ),
            {"id": uuid.UUID(user_id)},
        )
        assert left.scalar_one() == 0
    await engine.dispose()


async def test_registration_is_published(
    api: Any, new_email: Callable[[], str], kafka_bootstrap: str
) -> None:
    async with TopicReader(kafka_bootstrap, USER.name) as reader:
        await api.register(new_email())
        records = await reader.until(
            lambda seen: any(b'"registered"' in (r.value or b"") for r in seen), 30
        )
    assert any(json.loads(r.value or b"{}")["kind"] == "registered" for r in records)


async def test_deleting_needs_the_password(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str]
) -> None:
    address = new_email()
    await api.register(address)
    token = (await api.login(address))["access_token"]

    refused = await client.request(
        "DELETE",
        "/api/v1/auth/me",
        json={"password": "not the password"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert refused.status_code == 401
    assert (await api.me(token)).status_code == 200


async def test_login_rehashes_a_password_hashed_with_older_parameters(
    app_factory: Any, make_api: Any, new_email: Callable[[], str], base_settings: Any
) -> None:
    address = new_email()
    async with app_factory(argon2_time_cost=1, argon2_memory_kib=8192) as (_old, http):
        await make_api(http).register(address)
    engine = create_async_engine(base_settings.database_url.get_secret_value())

    async def stored_hash() -> str:
        async with engine.connect() as conn:
            found = await conn.execute(
                text("SELECT password_hash FROM auth.users WHERE email = :e"), {"e": address}
            )
            return str(found.scalar_one())

    before = await stored_hash()
    async with app_factory() as (_new, http):
        await make_api(http).login(address)
    after = await stored_hash()
    await engine.dispose()

    assert "m=8192,t=1" in before
    current = PasswordHasher(
        time_cost=base_settings.argon2_time_cost,
        memory_cost=base_settings.argon2_memory_kib,
        parallelism=base_settings.argon2_parallelism,
    )
    assert after != before
    assert after.startswith("$argon2id$")
    assert not current.check_needs_rehash(after)


async def test_migrations_match_the_models(base_settings: Any, auth_app: FastAPI) -> None:
    # With `auth` off the search path, reflection names the schema as the models do.
    engine = create_async_engine(
        base_settings.database_url.get_secret_value(),
        connect_args={"server_settings": {"search_path": "public"}},
    )
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(
                    sync, opts={"include_schemas": True, "include_name": _in_auth_schema}
                ),
                Base.metadata,
            )
        )
    await engine.dispose()
    assert diff == []


def _in_auth_schema(name: str | None, type_: str, _parent: dict[str, Any]) -> bool:
    if type_ == "schema":
        return name == "auth"
    return name != "alembic_version"


async def test_addresses_with_control_characters_are_refused_before_the_database(
    client: httpx.AsyncClient,
) -> None:
    # PostgreSQL refuses NUL in text: this once answered 500 (found by make fuzz).
    for path in ("/auth/login", "/api/v1/auth/token"):
        form = await client.post(path, data={"username": "a\x00@x.com", "password": "x" * 12})
        assert form.status_code == 422, (path, form.text)
    as_json = await client.post(
        "/api/v1/auth/login", json={"email": "a\x00@x.com", "password": "x" * 12}
    )
    assert as_json.status_code == 422
    register = await client.post(
        "/api/v1/auth/register", json={"email": "a\nb@x.com", "password": "a long password 1"}
    )
    assert register.status_code == 422
