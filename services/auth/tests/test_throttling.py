"""Failed logins are limited per account and per client address; the count
lives in PostgreSQL, so it holds across instances; the lock lifts after the
window. Test instances allow 3 failures per account and 6 per address in 60 s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

WRONG = "definitely not the password"


async def _fail(api: Any, address: str, times: int) -> list[int]:
    return [(await api.login_response(address, WRONG)).status_code for _ in range(times)]


async def test_account_lock_holds_across_instances_and_lifts_after_the_window(
    app_factory: Any, make_api: Any, new_email: Callable[[], str], clock: Any
) -> None:
    address = new_email()
    async with (
        app_factory(clock=clock) as (_a, http_a),
        app_factory(clock=clock) as (_b, http_b),
    ):
        a, b = make_api(http_a), make_api(http_b)  # two instances, two client addresses
        await a.register(address)

        assert await _fail(a, address, 2) + await _fail(b, address, 1) == [401, 401, 401]
        locked_a = await a.login_response(address)  # the right password, too late
        locked_b = await b.login_response(address)

        for locked in (locked_a, locked_b):
            assert locked.status_code == 429
            assert locked.json()["code"] == "too_many_attempts"
            assert 0 < int(locked.headers["retry-after"]) <= 60

        clock.advance(61)
        await b.login(address)


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


async def test_a_successful_login_clears_the_account_count(
    api: Any, new_email: Callable[[], str]
) -> None:
    address = new_email()
    await api.register(address)

    assert await _fail(api, address, 2) == [401, 401]
    await api.login(address)
    assert await _fail(api, address, 2) == [401, 401]


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
