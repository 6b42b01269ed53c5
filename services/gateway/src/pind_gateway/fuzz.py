"""``python -m pind_gateway.fuzz``: schemathesis against the gateway's OpenAPI.

Starts a gateway process (settings from the environment, as ``pind-gateway``
reads them; projection off, a short hold for the legacy process call) unless
``--base-url`` names a running one, then runs schemathesis with the checks
that matter: no 5xx, every answer matches its documented status, content type
and schema. Exit status: schemathesis'.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import httpx
import structlog

from pind_gateway.settings import GatewaySettings
from pind_gateway.testing import running

log = structlog.get_logger(__name__)

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance"
)


def schemathesis_command(
    base_url: str, max_examples: int, seed: int | None, *, with_auth: bool
) -> list[str]:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(max_examples),
        "--request-timeout",
        "30",
        "--phases",
        "examples,coverage,fuzzing",
        "--no-color",
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    if not with_auth:
        command += ["--exclude-path-regex", "^/auth/"]
    return command


def auth_reachable(settings: GatewaySettings) -> bool:
    try:
        return httpx.get(str(settings.auth_jwks_url), timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def run_against(base_url: str, max_examples: int, seed: int | None, *, with_auth: bool) -> int:
    if not with_auth:
        log.warning("auth service unreachable: the forwarded /auth/* calls are not fuzzed")
    command = schemathesis_command(base_url, max_examples, seed, with_auth=with_auth)
    return subprocess.run(command, check=False).returncode


async def run_with_instance(max_examples: int, seed: int | None) -> int:
    settings = GatewaySettings()
    extra = {
        "PIND_RUN_PROJECTION": "false",
        "PIND_CONSUMER_GROUP": f"pind-gateway-fuzz-{uuid.uuid4().hex[:8]}",
        "PIND_PROCESS_WAIT_S": "1",
    }
    with tempfile.TemporaryDirectory() as logs:
        async with running(settings, Path(logs), fuzz=extra) as started:
            base_url = started["fuzz"].url
            with_auth = await asyncio.to_thread(auth_reachable, settings)
            return await asyncio.to_thread(
                run_against, base_url, max_examples, seed, with_auth=with_auth
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pind_gateway.fuzz", description=__doc__)
    parser.add_argument("--base-url", help="a running gateway; default: start one")
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    if args.base_url:
        with_auth = auth_reachable(GatewaySettings())
        return run_against(
            args.base_url.rstrip("/"), args.max_examples, args.seed, with_auth=with_auth
        )
    return asyncio.run(run_with_instance(args.max_examples, args.seed))


if __name__ == "__main__":
    raise SystemExit(main())
