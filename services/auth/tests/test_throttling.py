"""Failed sign-ins slow down the client that fails, never the account's owner
elsewhere (issue 13, finding 3); a client failing across many accounts waits
out the window; failures of one account from everywhere raise an alert metric.
The counts live in PostgreSQL, so they hold across instances.

Test instances allow 3 failures per account and client, then delays of 1 s,
2 s, 4 s, ...; 6 failures per client address in a 60 s window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from prometheus_client import REGISTRY

WRONG = "definitely not the password"


async def _fail(api: Any, address: str, times: int) -> list[int]:
    return [(await api.login_response(address, WRONG)).status_code for _ in range(times)]


def _retry_after(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "too_many_attempts"
    return int(response.headers["retry-after"])


async def test_a_guesser_waits_growing_delays_while_the_owner_elsewhere_signs_in(
    app_factory: Any,
    make_api: Any,
    new_email: Callable[[], str],
    new_address: Callable[[], str],
    client_at: Callable[..., httpx.AsyncClient],
    clock: Any,
) -> None:
    account = new_email()
    guesser_address = new_address()
    unlimited_address = {"throttle_address_failures": 1000}
    async with (
        app_factory(clock=clock, **unlimited_address) as (app_a, _),
        app_factory(clock=clock, **unlimited_address) as (app_b, _),
        client_at(app_a, guesser_address) as guesser_a,
        client_at(app_b, guesser_address) as guesser_b,
        client_at(app_b) as owner_http,
    ):
        guesser, guesser_elsewhere = make_api(guesser_a), make_api(guesser_b)
        owner = make_api(owner_http)
        await owner.register(account)

        # Two instances, one guesser: the count is shared.
        assert await _fail(guesser, account, 2) + await _fail(guesser_elsewhere, account, 1) == [
            401,
            401,
            401,
        ]
        first = _retry_after(await guesser_elsewhere.login_response(account))  # right password
        assert first == 1
        await owner.login(account)  # the owner, from their own address, is not held up

        delays = []
        for _ in range(4):
            clock.advance(delays[-1] if delays else first)
            assert await _fail(guesser, account, 1) == [401]
            delays.append(_retry_after(await guesser.login_response(account, WRONG)))
        assert delays == [2, 4, 8, 16]
        await owner.login(account)


async def test_delays_stop_growing_at_the_maximum(
    app_factory: Any, make_api: Any, new_email: Callable[[], str], clock: Any
) -> None:
    account = new_email()
    async with app_factory(clock=clock, throttle_delay_max_s=5, throttle_address_failures=1000) as (
        _app,
        http,
    ):
        api = make_api(http)
        assert await _fail(api, account, 3) == [401, 401, 401]
        waits = []
        for _ in range(5):
            waits.append(_retry_after(await api.login_response(account, WRONG)))
            clock.advance(waits[-1])
            assert await _fail(api, account, 1) == [401]
        assert waits == [1, 2, 4, 5, 5]


async def test_an_unknown_account_is_throttled_exactly_like_a_known_one(
    api: Any, new_email: Callable[[], str]
) -> None:
    known, unknown = new_email(), new_email()
    await api.register(known)

    known_codes = await _fail(api, known, 4)
    unknown_codes = await _fail(api, unknown, 4)

    assert known_codes == unknown_codes == [401, 401, 401, 429]


async def test_one_address_trying_many_accounts_is_locked_out(
    new_client: Callable[[], httpx.AsyncClient], make_api: Any, new_email: Callable[[], str]
) -> None:
    victim = new_email()
    async with new_client() as sprayer_http, new_client() as other_http:
        sprayer, other = make_api(sprayer_http), make_api(other_http)
        await other.register(victim)
        for _ in range(6):  # one guess per account: below every account's limit
            assert (await sprayer.login_response(new_email(), WRONG)).status_code == 401

        from_sprayer = await sprayer.login_response(victim)
        from_elsewhere = await other.login_response(victim)

    assert from_sprayer.status_code == 429
    assert from_elsewhere.status_code == 200


async def test_an_ipv6_client_is_one_client_across_its_64(
    auth_app: Any,
    make_api: Any,
    new_email: Callable[[], str],
    new_address: Callable[[], str],
    client_at: Callable[..., httpx.AsyncClient],
) -> None:
    network = new_address().removesuffix("::1")
    rotating = [make_api(client_at(auth_app, f"{network}::{n:x}")) for n in range(1, 8)]
    codes = [(await api.login_response(new_email(), WRONG)).status_code for api in rotating]
    for api in rotating:
        await api.http.aclose()
    assert codes == [401] * 6 + [429]


async def test_many_clients_failing_one_account_raise_the_alert_but_lock_nobody_out(
    app_factory: Any,
    make_api: Any,
    new_email: Callable[[], str],
    client_at: Callable[..., httpx.AsyncClient],
) -> None:
    account = new_email()
    before = REGISTRY.get_sample_value("pind_auth_accounts_under_attack_total") or 0.0
    async with app_factory(throttle_account_alert_failures=5) as (app, http):
        owner = make_api(http)
        await owner.register(account)
        for _ in range(6):
            async with client_at(app) as attacker_http:
                assert await _fail(make_api(attacker_http), account, 1) == [401]
        await owner.login(account)
    after = REGISTRY.get_sample_value("pind_auth_accounts_under_attack_total")
    assert after == before + 1  # once, when the count reached the threshold


async def test_a_successful_login_clears_the_clients_count(
    api: Any, new_email: Callable[[], str]
) -> None:
    address = new_email()
    await api.register(address)

    assert await _fail(api, address, 2) == [401, 401]
    await api.login(address)
    assert await _fail(api, address, 2) == [401, 401]


async def test_a_password_reset_ends_the_owners_delays(
    api: Any, new_email: Callable[[], str], mailbox: Any, client: httpx.AsyncClient
) -> None:
    address = new_email()
    await api.register(address)
    assert await _fail(api, address, 4) == [401, 401, 401, 429]

    await client.post("/auth/request-password-reset", json={"email": address})
    mail = await mailbox.wait_for(address)
    token = mail.get_content().split("reset code: ")[1].split()[0]
    reset = await client.post(
        "/auth/reset-password", json={"token": token, "new_password": api.other_password}
    )
    assert reset.status_code == 200, reset.text
    await api.login(address, api.other_password)


async def test_reauthentication_for_sensitive_changes_is_throttled(
    client: httpx.AsyncClient, api: Any, new_email: Callable[[], str]
) -> None:
    address = new_email()
    await api.register(address)
    token = (await api.login(address))["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    codes = [
        (
            await client.request(
                "DELETE", "/api/v1/auth/me", json={"password": WRONG}, headers=headers
            )
        ).status_code
        for _ in range(4)
    ]

    assert codes == [401, 401, 401, 429]
