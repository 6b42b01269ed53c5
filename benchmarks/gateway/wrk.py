"""``wrk`` runs for the gateway benchmark: the Lua scripts (paced requests,
a new video per submission), the run itself (optionally pinned to CPUs with
``taskset``) and its ``--latency`` output read into a :class:`WrkResult`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


PACED_LUA = """
-- Each connection waits PIND_BENCH_DELAY_MS after every answer: a fixed
-- offered rate of connections * 1000 / delay requests per second at most.
local delay_ms = tonumber(os.getenv("PIND_BENCH_DELAY_MS"))
function delay() return delay_ms end
"""

SUBMIT_LUA = """
-- Every request submits a video nobody asked for before:
-- <run prefix, 4 chars><wrk thread, 1 digit><count, 6 digits>.
local prefix = os.getenv("PIND_BENCH_VIDEO_PREFIX")
local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
local count = 0
function request()
  count = count + 1
  local video = string.format("%s%d%06d", prefix, thread_id, count)
  return wrk.format("POST", "/api/v1/videos", {["Content-Type"] = "application/json"},
    '{"url":"https://youtu.be/' .. video .. '"}')
end
"""


@dataclass(frozen=True)
class WrkResult:
    connections: int
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str, connections: int) -> WrkResult:
    count = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (count and rate and p50 and p99):
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    return WrkResult(
        connections,
        int(count.group(1)),
        float(rate.group(1)),
        _ms(p50.group(1)),
        _ms(p99.group(1)),
        errors,
    )


def run_wrk(
    url: str,
    connections: int,
    duration_s: int,
    *,
    script: str | None = None,
    env: dict[str, str] | None = None,
    cpus: Sequence[int] = (),
) -> WrkResult:
    """``wrk`` on ``url`` (two threads), with the Lua ``script`` given and
    ``env`` added to its environment (the script reads it); pinned to
    ``cpus`` with ``taskset`` when any are named."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    pin: list[str] = []
    if cpus:
        taskset = shutil.which("taskset")
        if taskset is None:
            raise SystemExit("taskset is not installed (apt-get install util-linux)")
        pin = [taskset, "--cpu-list", ",".join(str(c) for c in cpus)]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        command = [*pin, wrk, "-t2", f"-c{connections}", f"-d{duration_s}s", "--latency"]
        if script is not None:
            lua.write(script)
            lua.flush()
            command += ["-s", lua.name]
        done = subprocess.run(
            [*command, url],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **(env or {})},
        )
    return parse_wrk(done.stdout, connections)
