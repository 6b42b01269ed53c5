"""What ``python -m benchmarks.fuzz`` gives schemathesis: its configuration
(the checks, dictionaries of real values), its command line, and the table of
status codes each operation answered."""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
PASSWORD_FIELDS = ("password", "current_password")


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
