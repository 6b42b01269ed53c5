"""The auth service under test: migrated real database, real broker, a real
SMTP server (aiosmtpd) in this event loop, and the app driven over ASGI."""

from __future__ import annotations

import asyncio
import email
import ipaddress
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from pind_auth.__main__ import MIGRATIONS_DIR
from pind_auth.app import create_app
from pind_auth.security.keys import thumbprint, write_new_key
from pind_auth.settings import AuthSettings
from pind_contracts import USER
from pind_kit.migrations import upgrade
from pind_kit.testing import create_topics, database_url

TEST_DOMAIN = "tests.example.com"


class Mailbox:
    """An aiosmtpd handler keeping every message it accepted."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = asyncio.Event()
        self.port = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message = email.message_from_bytes(content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self._arrived.set()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    async def wait_for(self, address: str, count: int = 1, within_s: float = 10.0) -> EmailMessage:
        async with asyncio.timeout(within_s):
            while len(self.to(address)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.to(address)[count - 1]


class ManualClock:
    """Real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def auth_database_url() -> str:
    return database_url("auth")


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("auth-keys")
    write_new_key(directory / "current.pem")
    return directory


@pytest.fixture(scope="session")
def signing_key(key_dir: Path) -> tuple[str, Ed25519PrivateKey]:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key((key_dir / "current.pem").read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    return thumbprint(key.public_key()), key


@pytest.fixture(scope="session")
async def mailbox() -> AsyncIterator[Mailbox]:
    box = Mailbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(box, hostname="mail.test"), "127.0.0.1", 0)
    box.port = server.sockets[0].getsockname()[1]
    yield box
    server.close()
    await server.wait_closed()


@pytest.fixture(scope="session")
def base_settings(
    auth_database_url: str,
    kafka_bootstrap: str,
    key_dir: Path,
    mailbox: Mailbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> AuthSettings:
    settings = AuthSettings(
        database_url=auth_database_url,
        kafka_bootstrap=kafka_bootstrap,
        jwt_key_dir=key_dir,
        run_dir=tmp_path_factory.mktemp("run"),
        smtp_port=mailbox.port,
        throttle_window_s=60,
        throttle_account_failures=3,
        throttle_address_failures=6,
        reset_resend_interval_s=0,
        reset_url="https://pind.tests.example.com/reset-password",
        trusted_proxies=["127.0.0.0/8"],
        # One client per test, but a run registers hundreds of accounts from
        # the documentation network; registration limits have their own tests.
        register_network_limit=1_000_000,
        relay_poll_interval_s=0.1,
        log_json=False,
    )
    upgrade(settings, MIGRATIONS_DIR)
    return settings


@pytest.fixture(scope="session")
async def topics(kafka_bootstrap: str) -> None:
    await create_topics(kafka_bootstrap, [USER.name], partitions=USER.partitions)


AppFactory = Callable[..., AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]]


def random_address() -> str:
    """A client address from the IPv6 documentation range in a /64 of its own
    (throttles key IPv6 clients by /64), unique per test."""
    return str(ipaddress.IPv6Address(f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"))


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        yield app


def client_for(app: FastAPI, address: str | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://auth.test",
        headers={"X-Forwarded-For": address or random_address()},
    )


@pytest.fixture(scope="session")
async def auth_app(base_settings: AuthSettings, topics: None) -> AsyncIterator[FastAPI]:
    async with serving(create_app(base_settings)) as app:
        yield app
    engine = create_async_engine(base_settings.database_url.get_secret_value())
    async with engine.begin() as conn:  # leave the shared database as we found it
        await conn.execute(
            text("DELETE FROM auth.users WHERE email_key LIKE :pattern"),
            {"pattern": f"%@{TEST_DOMAIN}"},
        )
    await engine.dispose()


@pytest.fixture
async def client(auth_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(auth_app) as http:
        yield http


@pytest.fixture
def app_factory(base_settings: AuthSettings, topics: None) -> AppFactory:
    """Another instance of the service (own settings and clock), same database."""

    @asynccontextmanager
    async def make(
        clock: Callable[[], datetime] | None = None, **overrides: Any
    ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        settings = base_settings.model_copy(update=overrides)
        app = create_app(settings, clock=clock) if clock else create_app(settings)
        async with serving(app), client_for(app) as http:
            yield app, http

    return make


@pytest.fixture
def new_email() -> Callable[[], str]:
    return lambda: f"user-{uuid.uuid4().hex[:12]}@{TEST_DOMAIN}"


PASSWORD = "plum-orchard-lantern-42"
OTHER_PASSWORD = "quiet harbour at dawn 7"


class Api:
    """The calls the tests make, over one HTTP client."""

    password = PASSWORD
    other_password = OTHER_PASSWORD

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def register(self, address: str, password: str = PASSWORD) -> None:
        response = await self.http.post(
            "/auth/register", json={"email": address, "password": password}
        )
        assert response.status_code == 202, response.text

    async def login_response(self, address: str, password: str = PASSWORD) -> httpx.Response:
        return await self.http.post("/auth/login", data={"username": address, "password": password})

    async def login(self, address: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.login_response(address, password)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def refresh(self, refresh_token: str) -> httpx.Response:
        return await self.http.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})

    async def me(self, access_token: str) -> httpx.Response:
        return await self.http.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {access_token}"}
        )


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)


@pytest.fixture
def make_api() -> type[Api]:
    return Api


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def new_client(auth_app: FastAPI) -> Callable[[], httpx.AsyncClient]:
    """Another client of the shared instance, from its own client address."""
    return lambda: client_for(auth_app)


@pytest.fixture
def client_at() -> Callable[..., httpx.AsyncClient]:
    """``client_at(app, address=None)``: a client of ``app`` from ``address``."""
    return client_for


@pytest.fixture
def new_address() -> Callable[[], str]:
    """A fresh client address, in a /64 of its own."""
    return random_address
