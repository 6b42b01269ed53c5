"""``python -m benchmarks.auth``: what the auth service costs on this machine.

1. Argon2id: median time of one hash with the configured parameters.
2. Login latency (p50/p99) and throughput under concurrent load, against a
   real ``pind-auth`` process (uvicorn) on a free port, using the database and
   broker of ``.run/env``.
3. Access-token verification throughput on one core (the gateway's hot path).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from pind_auth.__main__ import MIGRATIONS_DIR
from pind_auth.app import build_hashing
from pind_auth.security.keys import KeyRing, thumbprint
from pind_auth.security.tokens import AccessTokenIssuer, AccessTokenVerifier
from pind_auth.settings import AuthSettings
from pind_kit.migrations import upgrade

BENCH_DOMAIN = "bench.example.com"
PASSWORD = "benchmark passphrase, long enough"  # noqa: S105  (bench accounts only)


class BenchSettings(BaseSettings):
    """Where the local stack is (written by deploy/postgres/setup.sh)."""

    model_config = SettingsConfigDict(env_prefix="PIND_", env_file=".run/env", extra="ignore")
    auth_database_url: SecretStr
    kafka_bootstrap: str = "127.0.0.1:9092"


def _report(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_hashing(settings: AuthSettings, rounds: int) -> None:
    hashing = build_hashing(settings)
    wall, cpu = [], []
    for i in range(rounds):
        started, started_cpu = time.perf_counter(), time.thread_time()
        hashing.hash_sync(f"{PASSWORD} {i}")
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    _report(
        f"argon2id hash (t={settings.argon2_time_cost}, m={settings.argon2_memory_kib} KiB, "
        f"p={settings.argon2_parallelism}), median of {rounds}: "
        f"{statistics.median(wall) * 1000:.1f} ms wall, {statistics.median(cpu) * 1000:.1f} ms CPU "
        f"(min {min(wall) * 1000:.1f}, max {max(wall) * 1000:.1f} ms wall)"
    )


def bench_verification(seconds: float) -> None:
    key = Ed25519PrivateKey.generate()
    kid = thumbprint(key.public_key())
    ring = KeyRing(kid, key, {kid: key.public_key()})
    issuer = AccessTokenIssuer(ring, issuer="pind-auth", audience="pind", ttl_s=600)
    now = datetime.now(UTC)
    tokens = [issuer.issue(uuid.uuid4(), uuid.uuid4(), now).token for _ in range(1000)]
    for label, cache_size in (("every signature checked", 0), ("1000 clients, cached", 10_000)):
        verifier = AccessTokenVerifier(
            ring.public_keys, issuer="pind-auth", audience="pind", cache_size=cache_size
        )
        for token in tokens:  # warm up (and fill the cache)
            verifier.verify(token)
        count = 0
        started, started_cpu = time.perf_counter(), time.thread_time()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            for token in tokens:
                verifier.verify(token)
            count += len(tokens)
        elapsed = time.perf_counter() - started
        cpu = time.thread_time() - started_cpu
        # Per CPU-second is what one core sustains, whatever else the machine runs.
        _report(
            f"access-token verification, one thread, {label}: {count / cpu:,.0f} per CPU-second "
            f"({cpu / count * 1e6:.1f} µs CPU each; {count / elapsed:,.0f}/s wall)"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def _auth_process(stack: BenchSettings, port: int, run_dir: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "PIND_DATABASE_URL": stack.auth_database_url.get_secret_value(),
        "PIND_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "PIND_DEV": "true",
        "PIND_RUN_DIR": str(run_dir),
        "PIND_HTTP_PORT": str(port),
        "PIND_LOG_LEVEL": "WARNING",
        # Each simulated client gets its own X-Forwarded-For, as behind the gateway.
        "PIND_TRUSTED_PROXIES": '["127.0.0.1"]',
        # Every account is registered from this machine (auth limits that per address).
        "PIND_REGISTER_ADDRESS_LIMIT": "1000000",
    }
    process = subprocess.Popen([sys.executable, "-m", "pind_auth"], env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _wait_healthy(base_url: str, within_s: float = 60.0) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http, asyncio.timeout(within_s):
        while True:
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.2)


async def bench_logins(
    stack: BenchSettings, *, accounts: int, logins: int, concurrency: int
) -> None:
    port = _free_port()
    with tempfile.TemporaryDirectory() as run_dir, _auth_process(stack, port, Path(run_dir)) as url:
        await _wait_healthy(url)
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as http:
            addresses = [f"{uuid.uuid4().hex[:12]}@{BENCH_DOMAIN}" for _ in range(accounts)]
            for address in addresses:
                response = await http.post(
                    "/auth/register", json={"email": address, "password": PASSWORD}
                )
                response.raise_for_status()
            latencies: list[float] = []
            queue = iter(range(logins))

            async def user(client: int) -> None:
                forwarded = {"X-Forwarded-For": f"2001:db8::{client + 1:x}"}
                for n in queue:
                    started = time.perf_counter()
                    response = await http.post(
                        "/auth/login",
                        data={"username": addresses[n % accounts], "password": PASSWORD},
                        headers=forwarded,
                    )
                    response.raise_for_status()
                    latencies.append(time.perf_counter() - started)

            started = time.perf_counter()
            await asyncio.gather(*(user(c) for c in range(concurrency)))
            elapsed = time.perf_counter() - started
    await _delete_bench_accounts(stack)
    _report(
        f"login under load ({concurrency} concurrent clients, {logins} logins, real uvicorn): "
        f"p50 {_percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {_percentile(latencies, 0.99) * 1000:.0f} ms, {logins / elapsed:.1f} logins/s"
    )


async def _delete_bench_accounts(stack: BenchSettings) -> None:
    engine = create_async_engine(stack.auth_database_url.get_secret_value())
    async with engine.begin() as conn:
        await conn.execute(
            text("DELETE FROM auth.users WHERE email_key LIKE :pattern"),
            {"pattern": f"%@{BENCH_DOMAIN}"},
        )
    await engine.dispose()


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.auth", description=__doc__)
    parser.add_argument("--hashes", type=int, default=15, help="Argon2 hashes to time")
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--verify-seconds", type=float, default=3.0)
    parser.add_argument("--skip-logins", action="store_true", help="no database or broker")
    args = parser.parse_args(argv)
    _report(f"pind-auth bench ({_load()})")

    with tempfile.TemporaryDirectory() as run_dir:
        settings = AuthSettings(
            database_url="postgresql+asyncpg://unused@/x", dev=True, run_dir=Path(run_dir)
        )
        bench_hashing(settings, args.hashes)
    bench_verification(args.verify_seconds)
    if not args.skip_logins:
        stack = BenchSettings()  # read from .run/env
        upgrade(
            AuthSettings(database_url=stack.auth_database_url, dev=True, run_dir=Path(".run")),
            MIGRATIONS_DIR,
        )
        asyncio.run(
            bench_logins(
                stack,
                accounts=args.accounts,
                logins=args.logins,
                concurrency=args.concurrency,
            )
        )


if __name__ == "__main__":
    main()
