"""``python -m benchmarks.fuzz``: start the run's auth and gateway, submit the
sample vlogs, run schemathesis on each API anonymous and signed in, print the
coverage table (see the package's docstring)."""

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
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

import benchmarks.fuzz as package
from benchmarks.fuzz.schemathesis_run import (
    ExampleData,
    account_email,
    coverage_table,
    schemathesis_command,
    schemathesis_config,
)
from benchmarks.fuzz.stack import (
    ROOT,
    UNLIMITED,
    end_fuzz_analyses,
    ensure_fuzz_topics,
    sample_video_ids,
    service,
    submit_samples,
)


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
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=package.__doc__)
    parser.parse_args(argv)
    return asyncio.run(fuzz(FuzzSettings()))


if __name__ == "__main__":
    raise SystemExit(main())
