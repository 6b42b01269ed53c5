"""The attack suite (issue 13): what a reviewer would try against auth and the
gateway, run against real processes of both over HTTP, each attack a test
whose id says what it tried (``make attack`` lists them with the outcome).

The module starts its own auth and gateway (``python -m pind_auth`` /
``pind_gateway`` on free ports, topics under ``test.attack.``, the shared
database), auth in production mode (no ``PIND_DEV``; a signing key of this
run, whose private half lets the suite sign tokens that are valid but for one
claim), mail to an SMTP server in this process. The suite talks to the gateway
from 127.0.0.1, which the gateway's uvicorn trusts as a proxy, so each test
client names its own address in ``X-Forwarded-For`` as a front proxy would.

Tried: forged tokens (alg none, HS256 keyed with the public key, a foreign
kid, a known kid with another key, expired, wrong audience, wrong issuer, no
typ) at both services; refresh-token reuse and a concurrent refresh race;
reset-token reuse and expiry; oversized, malformed, deeply nested, non-UTF-8
and mistyped bodies on every operation of both APIs that takes one; 100 failed
sign-ins from one client through the gateway; registrations from one client.
"""

from __future__ import annotations

import asyncio
import base64
import email as email_parser
import hashlib
import hmac
import json
import re
import secrets
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import NullPool, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from benchmarks.gateway_processes import service_process
from pind_auth.security.keys import thumbprint, write_new_key
from pind_kit.testing import database_url
from pind_kit.topics import ensure_topics

TOPIC_PREFIX = "test.attack."
PASSWORD = "correct horse battery 9"
RESET_TTL_S = 4


class Mailbox:
    """An aiosmtpd handler keeping every message it accepted."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = asyncio.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message = email_parser.message_from_bytes(content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        async with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def resets(self, to: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == to and "Reset" in str(m["Subject"])]

    async def wait_resets(self, to: str, count: int, within_s: float = 20.0) -> None:
        async with asyncio.timeout(within_s), self.arrived:
            await self.arrived.wait_for(lambda: len(self.resets(to)) >= count)

    async def reset_code(self, to: str) -> str:
        await self.wait_resets(to, 1)
        body = str(self.resets(to)[-1].get_content())
        return body.split("reset code: ")[1].split()[0]


@dataclass(frozen=True)
class Stack:
    auth: str
    gateway: str
    signing_key: Ed25519PrivateKey
    kid: str
    mailbox: Mailbox


def _process(name: str, env: dict[str, str], log_dir: Path) -> AbstractAsyncContextManager[str]:
    return service_process(name, env, log_dir / f"attack-{name}.log", topic_prefix=TOPIC_PREFIX)


@pytest.fixture(scope="module")
async def stack(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    work = tmp_path_factory.mktemp("attack")
    key_dir = work / "keys"
    key_dir.mkdir()
    key = write_new_key(key_dir / "attack.pem")
    await ensure_topics(kafka_bootstrap, prefix=TOPIC_PREFIX)
    mailbox = Mailbox()
    loop = asyncio.get_running_loop()
    smtp = await loop.create_server(lambda: SMTP(mailbox, hostname="mail.test"), "127.0.0.1", 0)
    smtp_port = smtp.sockets[0].getsockname()[1]
    try:
        async with (
            _process(
                "auth",
                {
                    "PIND_DATABASE_URL": database_url("auth"),
                    "PIND_DEV": "false",
                    "PIND_JWT_KEY_DIR": str(key_dir),
                    "PIND_RESET_URL": "https://pind.attack.example/reset-password",
                    "PIND_SMTP_HOST": "127.0.0.1",
                    "PIND_SMTP_PORT": str(smtp_port),
                    "PIND_RESET_TOKEN_TTL_S": str(RESET_TTL_S),
                    "PIND_RESET_RESEND_INTERVAL_S": "0",
                    "PIND_ARGON2_TIME_COST": "1",
                    "PIND_ARGON2_MEMORY_KIB": "8192",
                },
                work,
            ) as auth_url,
            _process(
                "gateway",
                {
                    "PIND_DATABASE_URL": database_url("gateway"),
                    "PIND_HTTP_WORKERS": "1",
                    "PIND_RUN_PROJECTION": "false",
                    "PIND_CONSUMER_GROUP": f"pind-gateway-attack-{uuid.uuid4().hex[:8]}",
                    "PIND_AUTH_URL": auth_url,
                    "PIND_AUTH_JWKS_URL": f"{auth_url}/.well-known/jwks.json",
                },
                work,
            ) as gateway_url,
        ):
            yield Stack(auth_url, gateway_url, key, thumbprint(key.public_key()), mailbox)
    finally:
        smtp.close()
        await smtp.wait_closed()


def new_address() -> str:
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"


def new_email() -> str:
    return f"attack-{uuid.uuid4().hex[:12]}@tests.example.com"


@asynccontextmanager
async def client(base_url: str, address: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"X-Forwarded-For": address or new_address()}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
        yield http


async def signed_in(stack: Stack, http: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    """A fresh account, registered and signed in through the gateway."""
    address = new_email()
    registered = await http.post(
        "/api/v1/auth/register", json={"email": address, "password": PASSWORD}
    )
    assert registered.status_code == 202, registered.text
    login = await http.post("/api/v1/auth/login", json={"email": address, "password": PASSWORD})
    assert login.status_code == 200, login.text
    session: dict[str, Any] = login.json()
    return address, session


# --- forged access tokens ---------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _sign(claims: dict[str, Any], key: Any, **header: Any) -> str:
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"typ": "at+jwt", **header})


def _hs256_with_public_key(claims: dict[str, Any], stack: Stack) -> str:
    """The classic key-confusion forgery: HMAC keyed with the published key."""
    public = stack.signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "at+jwt", "kid": stack.kid}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


Forgery = Callable[[dict[str, Any], Stack], str]
FORGERIES: dict[str, Forgery] = {
    "alg-none": lambda c, s: jwt.encode(
        c,
        None,  # type: ignore[arg-type]
        algorithm="none",
        headers={"kid": s.kid, "typ": "at+jwt"},
    ),
    "hs256-keyed-with-the-public-key": _hs256_with_public_key,
    "foreign-kid": lambda c, s: _sign(c, Ed25519PrivateKey.generate(), kid="not-our-key"),
    "known-kid-other-key": lambda c, s: _sign(c, Ed25519PrivateKey.generate(), kid=s.kid),
    "expired": lambda c, s: _sign(
        {**c, "iat": c["iat"] - 7200, "nbf": c["iat"] - 7200, "exp": c["iat"] - 3600},
        s.signing_key,
        kid=s.kid,
    ),
    "wrong-audience": lambda c, s: _sign({**c, "aud": "another-api"}, s.signing_key, kid=s.kid),
    "wrong-issuer": lambda c, s: _sign({**c, "iss": "evil-issuer"}, s.signing_key, kid=s.kid),
    "not-an-access-token-typ": lambda c, s: jwt.encode(
        c, s.signing_key, algorithm="EdDSA", headers={"kid": s.kid, "typ": "JWT"}
    ),
    "no-expiry": lambda c, s: _sign(
        {k: v for k, v in c.items() if k != "exp"}, s.signing_key, kid=s.kid
    ),
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
async def test_forged_access_tokens_are_refused_by_both_services(
    stack: Stack, forgery: str
) -> None:
    async with client(stack.gateway) as gateway:
        _, session = await signed_in(stack, gateway)
        real = session["access_token"]
        forged = FORGERIES[forgery](_claims(real), stack)
        bearer = {"Authorization": f"Bearer {forged}"}
        at_gateway = await gateway.get("/api/v1/me/history", headers=bearer)
        through_gateway = await gateway.get("/api/v1/auth/me", headers=bearer)
        # The real token works: the refusals are the forgery's doing.
        genuine = await gateway.get(
            "/api/v1/me/history", headers={"Authorization": f"Bearer {real}"}
        )
    async with client(stack.auth) as auth:
        at_auth = await auth.get("/api/v1/auth/me", headers=bearer)
    assert genuine.status_code == 200
    assert (at_gateway.status_code, through_gateway.status_code, at_auth.status_code) == (
        401,
        401,
        401,
    )


# --- refresh tokens ---------------------------------------------------------------------


async def test_refresh_token_reuse_ends_the_whole_session(stack: Stack) -> None:
    async with client(stack.gateway) as http:
        _, session = await signed_in(stack, http)
        first = session["refresh_token"]
        rotated = await http.post("/api/v1/auth/refresh", json={"refresh_token": first})
        assert rotated.status_code == 200
        replayed = await http.post("/api/v1/auth/refresh", json={"refresh_token": first})
        successor = await http.post(
            "/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}
        )
    assert replayed.status_code == 401
    assert successor.status_code == 401  # the thief's or the owner's: the family is revoked


async def test_a_concurrent_refresh_race_yields_at_most_one_session(stack: Stack) -> None:
    async with client(stack.gateway) as http:
        _, session = await signed_in(stack, http)
        token = session["refresh_token"]
        answers = await asyncio.gather(
            *(http.post("/api/v1/auth/refresh", json={"refresh_token": token}) for _ in range(8))
        )
        codes = sorted(a.status_code for a in answers)
        winners = [a.json()["refresh_token"] for a in answers if a.status_code == 200]
        after = [
            (await http.post("/api/v1/auth/refresh", json={"refresh_token": w})).status_code
            for w in winners
        ]
    assert codes.count(200) <= 1 and set(codes) <= {200, 401}, codes
    assert after == [401] * len(winners)  # the race was a reuse: the family ended


# --- reset tokens -----------------------------------------------------------------------


async def _reset_code(stack: Stack, http: httpx.AsyncClient, address: str) -> str:
    requested = await http.post("/api/v1/auth/password-reset/request", json={"email": address})
    assert requested.status_code == 202
    return await stack.mailbox.reset_code(address)


async def test_a_reset_token_works_once(stack: Stack) -> None:
    async with client(stack.gateway) as http:
        address, _ = await signed_in(stack, http)
        code = await _reset_code(stack, http, address)
        used = await http.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": code, "new_password": "first new passphrase 1"},
        )
        reused = await http.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": code, "new_password": "second new passphrase 2"},
        )
        login = await http.post(
            "/api/v1/auth/login", json={"email": address, "password": "first new passphrase 1"}
        )
    assert used.status_code == 200
    assert reused.status_code == 400
    assert login.status_code == 200


async def test_an_expired_reset_token_is_refused(stack: Stack) -> None:
    async with client(stack.gateway) as http:
        address, _ = await signed_in(stack, http)
        code = await _reset_code(stack, http, address)
        issued = time.monotonic()
        await asyncio.sleep(max(0.0, RESET_TTL_S + 1 - (time.monotonic() - issued)))  # its TTL
        late = await http.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": code, "new_password": "too late a passphrase 3"},
        )
        login = await http.post("/api/v1/auth/login", json={"email": address, "password": PASSWORD})
    assert late.status_code == 400
    assert login.status_code == 200  # the password stayed


# --- bodies -----------------------------------------------------------------------------

BAD_BODIES: dict[str, tuple[bytes, str]] = {
    "oversized": (b'{"email": "' + b"a" * 64 * 1024 + b'"}', "application/json"),
    "truncated-json": (b'{"email": "x@example.com", "pass', "application/json"),
    "deeply-nested": (b"[" * 5000 + b"]" * 5000, "application/json"),
    "not-utf8": (b'{"email": "\xff\xfe\xfa"}', "application/json"),
    "wrong-types": (b'{"email": 12, "password": [1], "refresh_token": {}}', "application/json"),
    "nul-bytes": (b'{"email": "a\\u0000@example.com", "password": "x\\u0000"}', "application/json"),
    "form-as-json": (b"username=a&password=b", "application/json"),
    "xml": (b"<?xml version='1.0'?><a>b</a>", "application/xml"),
}


PATH_PARAMETER = re.compile(r"\{[^}]+\}")


async def _operations(base_url: str) -> list[tuple[str, str]]:
    async with httpx.AsyncClient(base_url=base_url) as http:
        spec = (await http.get("/openapi.json")).json()
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]


@pytest.mark.parametrize("body", sorted(BAD_BODIES))
@pytest.mark.parametrize("service", ["gateway", "auth"])
async def test_bad_bodies_on_every_operation_get_a_clear_4xx(
    stack: Stack, service: str, body: str
) -> None:
    base = stack.gateway if service == "gateway" else stack.auth
    content, content_type = BAD_BODIES[body]
    operations = await _operations(base)
    assert operations, f"{service} documents no operation with a body"
    wrong = []
    async with client(base) as http:
        for method, path in operations:
            url = PATH_PARAMETER.sub("dQw4w9WgXcQ", path)
            answer = await http.request(
                method, url, content=content, headers={"content-type": content_type}
            )
            expected = {413} if body == "oversized" else set(range(400, 430))
            readable = answer.headers.get("content-type", "").startswith("application/json")
            if answer.status_code not in expected or not readable or not answer.json()["detail"]:
                wrong.append(f"{method} {path}: {answer.status_code} {answer.text[:120]}")
    assert not wrong, "\n".join(wrong)


# --- throttling through the gateway -----------------------------------------------------


async def test_a_hundred_failed_sign_ins_through_the_gateway_lock_out_nobody_else(
    stack: Stack,
) -> None:
    async with client(stack.gateway) as owner, client(stack.gateway) as attacker:
        victim, _ = await signed_in(stack, owner)
        codes = [
            (
                await attacker.post(
                    "/auth/login",
                    data={"username": victim if n % 2 else new_email(), "password": "wrong!"},
                )
            ).status_code
            for n in range(100)
        ]
        owner_login = await owner.post(
            "/auth/login", data={"username": victim, "password": PASSWORD}
        )
    assert set(codes) <= {401, 429} and codes.count(429) >= 80, codes
    assert owner_login.status_code == 200, owner_login.text


async def test_registrations_from_one_client_are_limited(stack: Stack) -> None:
    async with client(stack.gateway) as http:
        codes = [
            (
                await http.post(
                    "/api/v1/auth/register", json={"email": new_email(), "password": PASSWORD}
                )
            ).status_code
            for _ in range(12)
        ]
    assert codes[:10] == [202] * 10 and codes[10:] == [429, 429], codes


# --- enumeration by timing --------------------------------------------------------------


async def _timed(stack: Stack, path: str, payload: dict[str, Any]) -> float:
    """Seconds one call takes, from a client address of its own (so throttles
    and registration limits stay out of the way)."""
    async with client(stack.gateway) as http:
        started = time.perf_counter()
        answer = await http.post(path, json=payload)
        elapsed = time.perf_counter() - started
    assert answer.status_code < 500, answer.text
    return elapsed


async def _outbox_drained(engine: AsyncEngine, within_s: float = 20.0) -> None:
    """Wait until auth's relay has published every event it holds."""
    async with asyncio.timeout(within_s):
        while True:
            async with engine.connect() as conn:
                if not await conn.scalar(text("SELECT count(*) FROM outbox")):
                    return
            await asyncio.sleep(0.01)


TIMED = {
    "login": ("/api/v1/auth/login", lambda e: {"email": e, "password": "a wrong guess 1"}),
    "register": ("/api/v1/auth/register", lambda e: {"email": e, "password": PASSWORD}),
    "reset": ("/api/v1/auth/password-reset/request", lambda e: {"email": e}),
}


@pytest.mark.parametrize("operation", sorted(TIMED))
async def test_existing_and_unknown_addresses_take_the_same_time(
    stack: Stack, operation: str
) -> None:
    """The lower quartiles of interleaved calls (so that the machine's load
    drifts for both alike; the quartile, as an attacker would, filters out the
    calls some other process slowed) for an address with an account and one
    without: within 20 %. The pairs alternate their order, so what a call
    leaves running after its answer (a reset's mail, a new account's event)
    falls on the next call of either kind alike."""
    path, body = TIMED[operation]
    async with client(stack.gateway) as http:
        existing, _ = await signed_in(stack, http)
    known: list[float] = []
    unknown: list[float] = []
    resets = 0
    auth_db = create_async_engine(database_url("auth"), poolclass=NullPool)
    for n in range(40):
        for has_account in (True, False) if n % 2 == 0 else (False, True):
            address = existing if has_account else new_email()
            (known if has_account else unknown).append(await _timed(stack, path, body(address)))
            if operation == "reset" and has_account:  # token and mail follow the answer
                resets += 1
                await stack.mailbox.wait_resets(existing, resets)
            if operation == "register" and not has_account:  # so does the account's event
                await _outbox_drained(auth_db)
    await auth_db.dispose()
    known_s, unknown_s = (statistics.quantiles(t, n=4)[0] for t in (known, unknown))
    assert 1 / 1.2 <= known_s / unknown_s <= 1.2, (
        f"{operation}: existing {known_s * 1000:.1f} ms, unknown {unknown_s * 1000:.1f} ms "
        f"(lower quartiles of {len(known)} calls each)"
    )
