"""Sign-in through the gateway cannot be turned against other people (issue 13,
findings 1 and 3), and the account API is reachable under ``/api/v1/auth/*``
(finding 8).

A real auth service runs here over HTTP on a free port, trusting the proxy
*network* 127.0.0.0/8 (pod addresses change, so deployments name networks); a
gateway instance forwards to it and names each client in X-Forwarded-For.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from pind_auth.app import create_app as create_auth_app
from pind_auth.settings import AuthSettings
from pind_gateway.app import create_app
from pind_gateway.settings import GatewaySettings

PASSWORD = "correct horse battery 9"
WRONG = "not the password at all"


def new_address() -> str:
    """A client of its own: an IPv6 /64 of the documentation range."""
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"


def new_email() -> str:
    return f"sec-{uuid.uuid4().hex[:12]}@tests.example.com"


@pytest.fixture(scope="module")
async def proxied_auth(auth_settings: AuthSettings, topics: None) -> AsyncIterator[str]:
    """A real auth service with production-like throttles, served over HTTP."""
    settings = auth_settings.model_copy(
        update={
            "trusted_proxies": [ipaddress.ip_network("127.0.0.0/8")],
            "throttle_account_failures": 5,
            "throttle_address_failures": 20,
            "argon2_time_cost": 1,
            "argon2_memory_kib": 8192,
        }
    )
    app = create_auth_app(settings)
    async with app.router.lifespan_context(app):
        listening = socket.create_server(("127.0.0.1", 0))  # connections queue from now on
        port = listening.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None))
        task = asyncio.create_task(server.serve(sockets=[listening]))
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        await task


@pytest.fixture(scope="module")
async def gateway(
    settings: GatewaySettings, migrated: None, topics: None, proxied_auth: str
) -> AsyncIterator[FastAPI]:
    app = create_app(
        settings.model_copy(
            update={
                "auth_url": proxied_auth,
                "auth_jwks_url": f"{proxied_auth}/.well-known/jwks.json",
                "run_projection": False,
            }
        )
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def client_from(gateway: FastAPI) -> Callable[[str], httpx.AsyncClient]:
    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=gateway, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://gateway")

    return make


async def _login(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await http.post("/auth/login", data={"username": email, "password": password})


async def test_a_hundred_failed_logins_from_one_client_lock_out_nobody_else(
    client_from: Callable[[str], httpx.AsyncClient],
) -> None:
    owner_address, attacker_address = new_address(), new_address()
    owner_email, other_email = new_email(), new_email()
    async with (
        client_from(owner_address) as owner,
        client_from(attacker_address) as attacker,
        client_from(new_address()) as other,
    ):
        for http, email in ((owner, owner_email), (other, other_email)):
            registered = await http.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
            )
            assert registered.status_code == 202, registered.text

        codes = []
        for n in range(100):
            # Half against the owner's account, half against made-up ones; the
            # attacker also claims to be the owner's address (the gateway must
            # not pass that on).
            target = owner_email if n % 2 else new_email()
            answer = await attacker.post(
                "/auth/login",
                data={"username": target, "password": WRONG},
                headers={"X-Forwarded-For": owner_address},
            )
            codes.append(answer.status_code)

        owner_login = await _login(owner, owner_email, PASSWORD)
        owner_v1 = await owner.post(
            "/api/v1/auth/login", json={"email": owner_email, "password": PASSWORD}
        )
        other_login = await _login(other, other_email, PASSWORD)
        attacker_right_password = await _login(attacker, owner_email, PASSWORD)

    assert set(codes) <= {401, 429}, codes
    assert codes.count(429) >= 80, codes  # the attacker is slowed, then stopped
    assert owner_login.status_code == 200, owner_login.text
    assert owner_v1.status_code == 200, owner_v1.text
    assert other_login.status_code == 200, other_login.text
    assert attacker_right_password.status_code == 429  # even with the right password
    assert int(attacker_right_password.headers["retry-after"]) > 0


async def test_the_account_api_is_reachable_through_the_gateway(
    client_from: Callable[[str], httpx.AsyncClient],
) -> None:
    email, new_password = new_email(), "a brand new passphrase 77"
    async with client_from(new_address()) as http:
        assert (
            await http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
        ).status_code == 202
        token = await http.post(
            "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
        )
        assert token.status_code == 200, token.text
        session: dict[str, Any] = token.json()
        bearer = {"Authorization": f"Bearer {session['access_token']}"}

        me = await http.get("/api/v1/auth/me", headers=bearer)
        assert me.status_code == 200 and me.json()["email"] == email

        rotated = await http.post(
            "/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}
        )
        assert rotated.status_code == 200
        reused = await http.post(
            "/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}
        )
        assert reused.status_code == 401  # a spent token: the session ends

        login = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        session = login.json()
        bearer = {"Authorization": f"Bearer {session['access_token']}"}
        changed = await http.post(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": new_password},
            headers=bearer,
        )
        assert changed.status_code == 204, changed.text
        logout = await http.post(
            "/api/v1/auth/logout", json={"refresh_token": session["refresh_token"]}
        )
        assert logout.status_code == 204
        after_logout = await http.post(
            "/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}
        )
        assert after_logout.status_code == 401

        reset = await http.post("/api/v1/auth/password-reset/request", json={"email": email})
        assert reset.status_code == 202
        bad_reset = await http.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": "not-a-token", "new_password": "whatever it is 123"},
        )
        assert bad_reset.status_code == 400

        unauthenticated = await http.request(
            "DELETE", "/api/v1/auth/me", json={"password": new_password}
        )
        assert unauthenticated.status_code == 401
        deleted = await http.request(
            "DELETE", "/api/v1/auth/me", json={"password": new_password}, headers=bearer
        )
        assert deleted.status_code == 204, deleted.text
        gone = await http.post(
            "/api/v1/auth/login", json={"email": email, "password": new_password}
        )
        assert gone.status_code == 401

    openapi = (await http_openapi(client_from)).json()
    paths = openapi["paths"]
    for path, method in [
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/password", "post"),
        ("/api/v1/auth/me", "delete"),
        ("/api/v1/auth/me", "get"),
    ]:
        assert method in paths.get(path, {}), f"{method.upper()} {path} is not documented"


async def http_openapi(client_from: Callable[[str], httpx.AsyncClient]) -> httpx.Response:
    async with client_from(new_address()) as http:
        return await http.get("/openapi.json")


async def test_oversized_bodies_are_refused_at_the_gateway(
    client_from: Callable[[str], httpx.AsyncClient],
) -> None:
    async with client_from(new_address()) as http:
        oversized = await http.post(
            "/api/v1/auth/login",
            content=b'{"email": "' + b"a" * 40_000 + b'", "password": "x"}',
            headers={"content-type": "application/json"},
        )
    assert oversized.status_code == 413
