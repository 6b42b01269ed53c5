"""The `make demo` client: submit a sample vlog to the gateway, follow it, print the places.

    python -m pind_fakes.demo [--video pindBsnEat1] [--gateway http://127.0.0.1:8000]

Exit status: 0 succeeded (or partial, unless --strict), 1 failed, 2 timed out,
3 the gateway could not be reached or refused the request.
"""

from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, TextIO
from urllib.parse import urljoin

import httpx

FINAL_STATES = ("succeeded", "partial", "failed")
STAGE_MARKS = {"succeeded": "done", "failed": "FAILED", "skipped": "skipped", "pending": "waiting"}

EXIT_OK, EXIT_FAILED, EXIT_TIMEOUT, EXIT_UNREACHABLE = 0, 1, 2, 3


class DemoError(Exception):
    """A failure to report in one readable line, with the exit status to use."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def display_width(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _percent(value: Any) -> int:
    if isinstance(value, float) and 0.0 <= value <= 1.0:
        return round(value * 100)
    return int(value or 0)


def stage_summary(stages: dict[str, Any]) -> str:
    parts = []
    for name, stage in stages.items():
        state = str(stage.get("state", "?"))
        mark = STAGE_MARKS.get(state) or f"{_percent(stage.get('progress'))}%"
        parts.append(f"{name} {mark}")
    return " · ".join(parts)


def places_table(places: Sequence[dict[str, Any]]) -> str:
    headers = ("#", "place", "category", "lat", "lon", "conf", "evidence")
    rows = []
    for number, place in enumerate(places, start=1):
        evidence = []
        for item in place.get("evidence") or []:
            at = item.get("start_s")
            evidence.append(
                f"{item.get('source')}@{at:.0f}s" if at is not None else str(item.get("source"))
            )
        name = str(place.get("name", "?"))
        if place.get("name_en"):
            name += f" ({place['name_en']})"
        rows.append(
            (
                str(number),
                name,
                str(place.get("category", "")),
                f"{float(place['lat']):.5f}",
                f"{float(place['lon']):.5f}",
                f"{float(place.get('confidence', 0)):.2f}",
                ", ".join(dict.fromkeys(evidence)),
            )
        )
    widths = [max(display_width(row[i]) for row in (headers, *rows)) for i in range(len(headers))]
    lines = [
        "  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in (headers, *rows)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("error") or body)
    return str(body)


MAX_RATE_LIMIT_WAITS = 3
"""How many times a 429 is waited out before the demo gives up."""


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait before trying again, for a 429 asking for at most 60 s."""
    if response.status_code != 429:
        return None
    try:
        seconds = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 60 else None


def submit(
    client: httpx.Client,
    gateway: str,
    video_id: str,
    *,
    refresh: bool = True,
    sleep: Callable[[float], None] = time.sleep,
    err: TextIO = sys.stderr,
) -> tuple[str, str]:
    """Submit the video; a 429 with a short ``Retry-After`` (another client on
    this address used the guest budget, e.g. a benchmark) is waited out, as a
    polite client does."""
    url = f"https://www.youtube.com/watch?v={video_id}"
    for attempt in range(MAX_RATE_LIMIT_WAITS + 1):
        try:
            response = client.post(
                f"{gateway}/api/v1/videos", json={"url": url, "refresh": refresh}
            )
        except httpx.TransportError as error:
            raise DemoError(
                f"cannot reach the gateway at {gateway} ({error.__class__.__name__}). "
                "Is the stack running? `make up` starts it.",
                EXIT_UNREACHABLE,
            ) from error
        wait = _retry_after(response)
        if wait is None or attempt == MAX_RATE_LIMIT_WAITS:
            break
        err.write(f"demo: the gateway asks to wait {wait:.0f} s (HTTP 429); waiting\n")
        sleep(wait)
    if response.status_code not in (200, 201, 202):
        raise DemoError(
            f"the gateway refused {url}: HTTP {response.status_code}: {_error_text(response)}",
            EXIT_UNREACHABLE,
        )
    body = response.json()
    status_url = urljoin(f"{gateway}/", body.get("status_url") or f"/api/v1/jobs/{body['job_id']}")
    return str(body["job_id"]), status_url


def follow(
    client: httpx.Client,
    status_url: str,
    *,
    timeout_s: float,
    poll_s: float,
    out: TextIO,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Poll the job until it is final; print a line whenever something changed."""
    started = clock()
    last_line = ""
    while True:
        try:
            response = client.get(status_url)
        except httpx.TransportError as error:
            raise DemoError(
                f"lost the gateway while polling {status_url}: {error}", EXIT_UNREACHABLE
            ) from error
        if response.status_code != 200:
            raise DemoError(
                f"polling {status_url} failed: "
                f"HTTP {response.status_code}: {_error_text(response)}",
                EXIT_UNREACHABLE,
            )
        job: dict[str, Any] = response.json()
        state = str(job.get("state"))
        step = job.get("current_step") or ""
        stages = stage_summary(job.get("stages") or {})
        line = f"{state:<9} {_percent(job.get('progress')):>3}%  {stages}"
        if step:
            line += f"  — {step}"
        if line != last_line:
            out.write(f"[{clock() - started:6.1f}s] {line}\n")
            out.flush()
            last_line = line
        if state in FINAL_STATES:
            return job
        if clock() - started > timeout_s:
            raise DemoError(
                f"the job is still {state} after {timeout_s:.0f} s; follow it at {status_url} "
                "or look at .run/logs/",
                EXIT_TIMEOUT,
            )
        sleep(poll_s)


def report(job: dict[str, Any], status_url: str, gateway: str, out: TextIO) -> None:
    video = job.get("video") or {}
    places = job.get("places") or []
    out.write("\n")
    if video.get("title"):
        out.write(f"{video['title']}\n")
    out.write(f"{len(places)} place(s) found, job {job.get('state')}:\n\n")
    if places:
        out.write(places_table(places) + "\n")
    unresolved = job.get("unresolved") or []
    if unresolved:
        names = ", ".join(str(u.get("name")) for u in unresolved)
        out.write(f"\nNamed but not placed on the map: {names}\n")
    failed = {
        name: stage.get("reason") or stage.get("state")
        for name, stage in (job.get("stages") or {}).items()
        if stage.get("state") in ("failed", "skipped")
    }
    for name, reason in failed.items():
        out.write(f"stage {name}: {reason}\n")
    if job.get("error"):
        out.write(f"error: {job['error']}\n")
    out.write(f"\nJob:  {status_url}\nMap:  {gateway}/\n")


def run(
    argv: Sequence[str] | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pind_fakes.demo", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--video",
        default="pindBsnEat1",
        help="a sample video id (samples/vlogs); the default is a food vlog (Busan, 남포동)",
    )
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the job")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls")
    parser.add_argument(
        "--cached",
        action="store_true",
        help="accept a stored result (default: analyse again, end to end)",
    )
    parser.add_argument("--strict", action="store_true", help="a partial result is a failure")
    args = parser.parse_args(argv)
    gateway = args.gateway.rstrip("/")
    try:
        with httpx.Client(timeout=10.0, headers={"User-Agent": "pind-demo/1.0"}) as client:
            job_id, status_url = submit(
                client, gateway, args.video, refresh=not args.cached, sleep=sleep, err=err
            )
            out.write(f"submitted {args.video}: job {job_id}\n")
            job = follow(
                client, status_url, timeout_s=args.timeout, poll_s=args.poll, out=out, sleep=sleep
            )
    except DemoError as error:
        err.write(f"demo: {error}\n")
        return error.exit_code
    report(job, status_url, gateway, out)
    state = job.get("state")
    if state == "failed" or (state == "partial" and args.strict):
        err.write(f"demo: the job ended {state}: {job.get('error') or 'see the stages above'}\n")
        return EXIT_FAILED
    return EXIT_OK


def main() -> None:
    raise SystemExit(run())


if __name__ == "__main__":
    main()
