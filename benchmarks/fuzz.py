"""``python -m benchmarks.fuzz``: schemathesis against the gateway's and
auth's OpenAPI, anonymous and signed in, with per-operation coverage.

Starts its own auth and gateway processes (``make fuzz`` runs it with the local
stack's settings; the database must be migrated) so that the run can raise
their limits without touching a running stack:

- guest and user submission limits and auth's failure throttles raised far
  past what the run sends, so no operation is fuzzed into 429;
- topics under the ``fuzz.`` prefix (created here), so the submissions it makes
  are never analysed by a running stack;
- projection off, a one-second hold for the legacy process call.

Example data reaches past validation: the sample vlogs' video ids and URLs,
the ids of jobs submitted for them before the run, the fuzz accounts' e-mail
addresses and password, and live refresh tokens (``benchmarks.fuzz_hooks``).
Each API is fuzzed twice, anonymous and signed in (a registered fuzz account's
token, refreshed as needed). Checks: no 5xx, and every answer matches its
documented status, content type, headers and schema. Afterwards the status
codes each operation answered are printed, and how many calls reached a 2xx.
Exit status: non-zero when a schemathesis run found a failure.

Settings (``PIND_FUZZ_*``): ``QUICK=true`` a few examples per operation and no
coverage phase (``make smoke``); ``MAX_EXAMPLES``; ``SEED``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from benchmarks.gateway_processes import Instance, free_port, wait_ready
from pind_gateway.projection.service import end_unstarted_analyses

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
TOPIC_PREFIX = "fuzz."
UNLIMITED = "1000000"  # far past what one run sends
ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = ROOT / "samples" / "vlogs"
PASSWORD_FIELDS = ("password", "current_password")


class FuzzSettings(BaseSettings):
    """What the fuzz command reads; the database URLs are the local stack's
    per-service ones (``.run/env``, exported by ``scripts/with-env.sh``)."""

    model_config = SettingsConfigDict(env_prefix="PIND_", extra="ignore")

    gateway_database_url: SecretStr | None = None
    auth_database_url: SecretStr | None = None
    kafka_bootstrap: str = "127.0.0.1:9092"
    run_dir: Path = Field(default=Path(".run"), description="Logs go to <run_dir>/logs.")
    fuzz_quick: bool = Field(default=False, description="A few examples per operation.")
    fuzz_max_examples: int = Field(default=30, ge=1)
    fuzz_seed: int | None = None


@dataclass(frozen=True)
class Target:
    """One API under test."""

    api: str
    base_url: str


@dataclass(frozen=True)
class ExampleData:
    video_ids: list[str]
    video_urls: list[str]
    job_ids: list[str]
    emails: list[str]
    password: str


def account_email(prefix: str, index: int) -> str:
    """The address of the run's ``index``-th fuzz account (``benchmarks.fuzz_hooks``)."""
    return f"{prefix}-{index}@example.com"


# ---------------------------------------------------------------- processes


@asynccontextmanager
async def service(name: str, env: dict[str, str], log_dir: Path) -> AsyncIterator[str]:
    """Run ``python -m pind_<name>`` on a free port; yields its base URL; stops it."""
    port = free_port()
    log = log_dir / f"fuzz-{name}.log"
    process = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "-m", f"pind_{name}"],
        env={
            **os.environ,
            "PIND_HTTP_HOST": "127.0.0.1",
            "PIND_HTTP_PORT": str(port),
            "PIND_LOG_JSON": "false",
            "PIND_LOG_LEVEL": "WARNING",
            "PIND_KAFKA_TOPIC_PREFIX": TOPIC_PREFIX,
            **env,
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(Instance(f"fuzz {name}", port, process), log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def ensure_fuzz_topics(bootstrap: str) -> None:
    from pind_kit.topics import ensure_topics

    await ensure_topics(bootstrap, prefix=TOPIC_PREFIX)


# ---------------------------------------------------------------- example data


def sample_video_ids(samples_dir: Path = SAMPLES_DIR) -> list[str]:
    ids = sorted(p.name for p in samples_dir.iterdir() if (p / "info.json").is_file())
    if not ids:
        raise RuntimeError(f"no sample vlogs in {samples_dir} (samples/vlogs/<id>/info.json)")
    return ids


async def end_fuzz_analyses(database_url: str, video_ids: Sequence[str]) -> None:
    """The fuzz gateway's analyses went to ``fuzz.`` topics no worker reads: end
    them, or the next `make demo` or test asking for a sample video would join
    one and wait until it went stale."""
    engine = create_async_engine(database_url)
    try:
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(text("SET LOCAL search_path TO gateway"))
            ended = await end_unstarted_analyses(
                session, video_ids, "a make fuzz run asked for it; nothing analyses fuzz topics"
            )
        sys.stdout.write(f"ended {len(ended)} analyses the fuzz gateway started\n")
    finally:
        await engine.dispose()


async def submit_samples(gateway_url: str, video_ids: Iterable[str]) -> list[str]:
    """Submit every sample vlog once; the job ids answered (new or existing)."""
    job_ids = []
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as http:
        for video_id in video_ids:
            url = f"https://www.youtube.com/watch?v={video_id}"
            answer = await http.post("/api/v1/videos", json={"url": url})
            if answer.status_code not in (200, 202):
                raise RuntimeError(
                    f"submitting {url} to the fuzz gateway answered {answer.status_code}: "
                    f"{answer.text[:300]}"
                )
            job_ids.append(str(answer.json()["job_id"]))
    return job_ids


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


def schemathesis_config(data: ExampleData) -> str:
    """``schemathesis.toml``: dictionaries of real values, each used for half of
    the cases of every parameter or body field of that name."""
    dictionaries: dict[str, list[str]] = {
        "video_ids": data.video_ids,
        "video_urls": data.video_urls,
        "job_ids": data.job_ids,
        "emails": data.emails,
        "passwords": [data.password],
    }
    bindings = {
        "path.video_id": "video_ids",
        "path.job_id": "job_ids",
        "body.url": "video_urls",
        "body.email": "emails",
        "body.username": "emails",
        **{f"body.{field}": "passwords" for field in PASSWORD_FIELDS},
    }
    lines = [
        # A job's event stream stays open while the job runs: read its first event.
        "max-stream-events = 1",
        "",
        # The checks are set here, not on the command line, which would override
        # the per-operation setting below.
        "[checks]",
        "enabled = false",
        *(f"{check}.enabled = true" for check in CHECKS),
        "",
        # The stream is documented as one string ({"type": "string"}, OpenAPI 3.1);
        # schemathesis checks each event against that schema, which no event object
        # can match. Until the gateway documents the event shape, the other checks
        # still run on this operation.
        "[[operations]]",
        'include-name = "GET /api/v1/jobs/{job_id}/events"',
        "checks.response_schema_conformance.enabled = false",
        "",
        "[dictionaries]",
    ]
    lines += [
        f"{name} = {_toml_value({'values': values})}" for name, values in dictionaries.items()
    ]
    lines += ["", "[parameters]"]
    for key, dictionary in bindings.items():
        lines.append(
            f"{json.dumps(key)} = {_toml_value({'dictionary': dictionary, 'probability': 0.5})}"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- runs


def schemathesis_command(
    config: Path, base_url: str, max_examples: int, seed: int | None, *, quick: bool
) -> list[str]:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{base_url}/openapi.json",
        "--max-examples",
        str(max_examples),
        "--request-timeout",
        "30",
        "--phases",
        "examples,fuzzing" if quick else "examples,coverage,fuzzing",
        "--no-color",
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    return command


def run_schemathesis(
    target: Target, *, signed_in: bool, auth_url: str, command: list[str], hook_env: dict[str, str]
) -> int:
    mode = "signed in" if signed_in else "anonymous"
    sys.stdout.write(f"\n=== fuzz {target.api} ({target.base_url}), {mode}\n")
    sys.stdout.flush()
    env = {
        **os.environ,
        **hook_env,
        "SCHEMATHESIS_HOOKS": "benchmarks.fuzz_hooks",
        # The hooks module lives in the checkout, not in an installed package.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "PIND_FUZZ_HOOK_API": target.api,
        "PIND_FUZZ_HOOK_SIGNED_IN": "true" if signed_in else "false",
        "PIND_FUZZ_HOOK_AUTH_URL": auth_url,
    }
    return subprocess.run(command, env=env, check=False).returncode


def coverage_table(calls: Sequence[dict[str, Any]]) -> list[str]:
    """Per operation: the status codes answered anonymous and signed in, and how
    many calls reached a 2xx; then the totals."""
    by_operation: dict[tuple[str, str], dict[bool, Counter[int]]] = defaultdict(
        lambda: {False: Counter(), True: Counter()}
    )
    for call in calls:
        by_operation[(call["api"], call["operation"])][bool(call["signed_in"])][call["status"]] += 1

    def codes(counter: Counter[int]) -> str:
        return " ".join(f"{code}×{n}" for code, n in sorted(counter.items())) or "-"

    rows = [("api", "operation", "anonymous", "signed in", "2xx")]
    reached = 0
    for (api, operation), modes in sorted(by_operation.items()):
        total = sum(modes[False].values()) + sum(modes[True].values())
        ok = sum(n for m in modes.values() for code, n in m.items() if 200 <= code < 300)
        reached += ok > 0
        rows.append((api, operation, codes(modes[False]), codes(modes[True]), f"{ok}/{total}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row))
        for row in rows
    ]
    lines.append(
        f"{len(calls)} calls, {len(by_operation)} operations, "
        f"{reached} reached a 2xx, {len(by_operation) - reached} never did"
    )
    return lines


async def fuzz(settings: FuzzSettings) -> int:
    if settings.gateway_database_url is None or settings.auth_database_url is None:
        raise SystemExit(
            "PIND_GATEWAY_DATABASE_URL and PIND_AUTH_DATABASE_URL are not set: run "
            "`make fuzz`, or scripts/with-env.sh after `make infra-up` (they are in .run/env)"
        )
    max_examples = 3 if settings.fuzz_quick else settings.fuzz_max_examples
    run_id = uuid.uuid4().hex[:8]
    password = f"fuzz-{secrets.token_urlsafe(12)}"
    account_prefix = f"fuzz-{run_id}"
    hook_accounts = 50
    log_dir = settings.run_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pind-fuzz-") as tmp:
        work = Path(tmp)
        await ensure_fuzz_topics(settings.kafka_bootstrap)
        async with AsyncExitStack() as stack:
            auth_url = await stack.enter_async_context(
                service(
                    "auth",
                    {
                        "PIND_DATABASE_URL": settings.auth_database_url.get_secret_value(),
                        "PIND_THROTTLE_ACCOUNT_FAILURES": UNLIMITED,
                        "PIND_THROTTLE_ADDRESS_FAILURES": UNLIMITED,
                        "PIND_REGISTER_ADDRESS_LIMIT": UNLIMITED,
                        "PIND_REGISTER_NETWORK_LIMIT": UNLIMITED,
                        "PIND_RESET_RESEND_INTERVAL_S": "1",
                    },
                    log_dir,
                )
            )
            gateway_url = await stack.enter_async_context(
                service(
                    "gateway",
                    {
                        "PIND_DATABASE_URL": settings.gateway_database_url.get_secret_value(),
                        "PIND_HTTP_WORKERS": "1",
                        "PIND_RUN_PROJECTION": "false",
                        "PIND_CONSUMER_GROUP": f"pind-gateway-fuzz-{run_id}",
                        "PIND_PROCESS_WAIT_S": "1",
                        "PIND_STREAM_MAX_S": "3",
                        "PIND_GUEST_SUBMISSIONS_PER_WINDOW": UNLIMITED,
                        "PIND_USER_SUBMISSIONS_PER_WINDOW": UNLIMITED,
                        "PIND_AUTH_URL": auth_url,
                        "PIND_AUTH_JWKS_URL": f"{auth_url}/.well-known/jwks.json",
                    },
                    log_dir,
                )
            )
            video_ids = sample_video_ids()
            data = ExampleData(
                video_ids=video_ids,
                video_urls=[f"https://www.youtube.com/watch?v={v}" for v in video_ids]
                + [f"https://youtu.be/{v}" for v in video_ids],
                job_ids=await submit_samples(gateway_url, video_ids),
                emails=[account_email(account_prefix, i) for i in range(hook_accounts)],
                password=password,
            )
            config = work / "schemathesis.toml"
            config.write_text(schemathesis_config(data), encoding="utf-8")
            calls_file = work / "calls.jsonl"
            hook_env = {
                "PIND_FUZZ_HOOK_CALLS_FILE": str(calls_file),
                "PIND_FUZZ_HOOK_ACCOUNT_PREFIX": account_prefix,
                "PIND_FUZZ_HOOK_ACCOUNTS": str(hook_accounts),
                "PIND_FUZZ_HOOK_PASSWORD": password,
            }
            failed = []
            for target in (Target("gateway", gateway_url), Target("auth", auth_url)):
                command = schemathesis_command(
                    config,
                    target.base_url,
                    max_examples,
                    settings.fuzz_seed,
                    quick=settings.fuzz_quick,
                )
                for signed_in in (False, True):
                    rc = await asyncio.to_thread(
                        run_schemathesis,
                        target,
                        signed_in=signed_in,
                        auth_url=auth_url,
                        command=command,
                        hook_env=hook_env,
                    )
                    if rc != 0:
                        failed.append(f"{target.api} ({'signed in' if signed_in else 'anonymous'})")
            await end_fuzz_analyses(settings.gateway_database_url.get_secret_value(), video_ids)
            calls = (
                [
                    json.loads(line)
                    for line in calls_file.read_text(encoding="utf-8").splitlines()
                    if line
                ]
                if calls_file.exists()
                else []
            )
        sys.stdout.write("\n=== fuzz coverage (status codes answered per operation)\n")
        sys.stdout.write("\n".join(coverage_table(calls)) + "\n")
        if not calls:
            sys.stdout.write("no call was recorded: the hooks did not run\n")
            return 1
        if failed:
            sys.stdout.write(
                f"fuzz failures in: {', '.join(failed)} (the instances' logs: "
                f"{log_dir}/fuzz-auth.log, {log_dir}/fuzz-gateway.log)\n"
            )
            return 1
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__)
    parser.parse_args(argv)
    return asyncio.run(fuzz(FuzzSettings()))


if __name__ == "__main__":
    raise SystemExit(main())
