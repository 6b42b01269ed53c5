"""What one client can make auth do is bounded (issue 13, findings 4 and 8):
registrations per client address and network, one "address taken" mail per
interval, a bounded queue for password hashes (503 beyond it), a body-size
limit; and outside development the service refuses development-only values."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from pind_auth.settings import AuthSettings

PASSWORD = "plum-orchard-lantern-42"


def _network() -> str:
    """A fresh IPv6 /48 of the documentation range."""
    return f"2001:db8:{secrets.token_hex(2)}"


async def _register(http: httpx.AsyncClient, email: str) -> httpx.Response:
    return await http.post("/auth/register", json={"email": email, "password": PASSWORD})


async def test_registrations_are_limited_per_address_and_per_network(
    app_factory: Any, client_at: Callable[..., httpx.AsyncClient], new_email: Callable[[], str]
) -> None:
    network, elsewhere = _network(), _network()
    limits = {"register_address_limit": 2, "register_network_limit": 3}
    async with (
        app_factory(**limits) as (app, _),
        client_at(app, f"{network}:1::1") as first,
        client_at(app, f"{network}:1::2") as same_64,
        client_at(app, f"{network}:2::1") as same_48,
        client_at(app, f"{elsewhere}:1::1") as other_network,
    ):
        codes = [(await _register(first, new_email())).status_code for _ in range(3)]
        from_same_64 = await _register(same_64, new_email())
        from_same_48 = await _register(same_48, new_email())
        from_elsewhere = await _register(other_network, new_email())

    assert codes == [202, 202, 429]
    assert from_same_64.status_code == 429  # one client: its whole /64
    assert from_same_48.status_code == 429  # the network's 3 were used
    assert from_same_48.json()["code"] == "too_many_registrations"
    assert 0 < int(from_same_48.headers["retry-after"]) <= 3600
    assert from_elsewhere.status_code == 202


async def test_the_taken_address_mail_goes_once_per_interval(
    app_factory: Any, new_email: Callable[[], str], mailbox: Any, clock: Any
) -> None:
    taken = new_email()
    async with app_factory(clock=clock, taken_address_mail_interval_s=600) as (app, http):
        assert (await _register(http, taken)).status_code == 202
        for _ in range(4):
            assert (await _register(http, taken)).status_code == 202
        await mailbox.wait_for(taken, 1)
        clock.advance(601)
        assert (await _register(http, taken)).status_code == 202
        await mailbox.wait_for(taken, 2)
        await app.state.service.drain_mail()
    assert len(mailbox.to(taken)) == 2


async def test_a_full_hash_queue_answers_503_with_retry_after(
    app_factory: Any, new_email: Callable[[], str]
) -> None:
    async with app_factory(hash_concurrency=1, hash_queue_limit=1) as (_app, http):
        answers = await asyncio.gather(*(_register(http, new_email()) for _ in range(6)))
    codes = sorted(a.status_code for a in answers)
    busy = [a for a in answers if a.status_code == 503]
    assert codes.count(202) >= 2 and busy, codes  # one hashing, one queued, the rest refused
    assert all(a.json()["code"] == "busy" and int(a.headers["retry-after"]) >= 1 for a in busy)


async def test_bodies_over_the_limit_are_refused_before_they_are_read(
    client: httpx.AsyncClient,
) -> None:
    big = b'{"email": "' + b"a" * 20_000 + b'@example.com", "password": "x"}'
    declared = await client.post(
        "/api/v1/auth/register", content=big, headers={"content-type": "application/json"}
    )

    async def chunks() -> Any:
        for _ in range(40):
            yield b" " * 1024

    streamed = await client.post(
        "/auth/login",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert answer.json()["code"] == "body_too_large"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"reset_url": "http://localhost:3000/reset-password"}, "PIND_RESET_URL"),
        ({"reset_url": "https://127.0.0.1/reset"}, "PIND_RESET_URL"),
        ({"smtp_host": "mail.example.com", "smtp_security": "none"}, "PIND_SMTP_SECURITY"),
        ({"jwt_key_dir": None}, "no signing key"),
    ],
)
def test_production_refuses_development_values(
    values: dict[str, Any], message: str, key_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PIND_DEV", "PIND_JWT_SIGNING_KEY", "PIND_JWT_KEY_DIR", "PIND_RESET_URL"):
        monkeypatch.delenv(name, raising=False)
    good = {
        "database_url": "postgresql+asyncpg://nobody:unused@127.0.0.1:1/none",
        "jwt_key_dir": key_dir,
        "reset_url": "https://pind.example.com/reset-password",
        "smtp_host": "127.0.0.1",
    }
    AuthSettings(**good)  # production values start
    AuthSettings(**{**good, "smtp_host": "mail.example.com", "smtp_security": "starttls"})
    with pytest.raises(ValidationError, match=message):
        AuthSettings(**{**good, **values})
    AuthSettings(**{**good, **values, "dev": True})  # development allows them
