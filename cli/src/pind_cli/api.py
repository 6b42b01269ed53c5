"""pind's public HTTP API as the command uses it (httpx, synchronous).

Every call either returns the answer's JSON (or bytes) or raises a
:class:`~pind_cli.errors.CliError` whose exit code says what went wrong: the
API refused the input, the sign-in, the rate, or could not be reached.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from pind_cli import __name__ as _package
from pind_cli.errors import CliError, ExitCode

Job = dict[str, Any]
ExportFormat = Literal["geojson", "kml"]

FINAL_STATES = frozenset({"succeeded", "partial", "failed"})
USER_AGENT = f"{_package.replace('_', '-')}/0.1"
# The gateway sends a keep-alive every 15 s (PIND_STREAM_HEARTBEAT_S) on a quiet
# stream: silence much longer than that means the connection is gone.
STREAM_SILENCE_S = 60.0
STREAM_RECONNECTS = 5


def _detail(response: httpx.Response) -> str:
    """The API's error message (``{"detail", "code"}``), or the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("message")
        if isinstance(detail, list):  # a framework validation error list
            return "; ".join(str(item.get("msg", item)) for item in detail if item)
        if detail:
            return str(detail)
    return json.dumps(body, ensure_ascii=False)[:200]


def raise_for_answer(response: httpx.Response, what: str) -> None:
    """Turn an error answer into the :class:`CliError` a script can act on."""
    status = response.status_code
    if status < 400:
        return
    detail = _detail(response)
    if status in (401, 403):
        raise CliError(f"{what}: {detail}", ExitCode.AUTH)
    if status == 429:
        retry = response.headers.get("Retry-After")
        when = f"; try again in {retry} s" if retry else ""
        raise CliError(f"{what}: too many requests ({detail}){when}", ExitCode.RATE_LIMITED)
    if status in (400, 413, 422):
        raise CliError(f"{what}: {detail}", ExitCode.USAGE)
    raise CliError(f"{what}: the API answered {status}: {detail}", ExitCode.API_ERROR)


class PindApi:
    """One API base URL, optionally with a bearer token."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"User-Agent": USER_AGENT}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
        )

    def __enter__(self) -> PindApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def unreachable(self, exc: Exception) -> CliError:
        return CliError(
            f"cannot reach the pind API at {self.base_url} ({type(exc).__name__}: {exc}); "
            "is it running (`make up`)? --api or PIND_API_URL point elsewhere",
            ExitCode.UNREACHABLE,
        )

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise self.unreachable(exc) from exc
        raise_for_answer(response, what)
        return response

    def _json(self, response: httpx.Response, what: str) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise CliError(
                f"{what}: the answer is not JSON ({response.headers.get('content-type')}); "
                f"is {self.base_url} a pind gateway?",
                ExitCode.API_ERROR,
            ) from exc

    # --- calls -------------------------------------------------------------------------

    def submit(self, url: str, *, refresh: bool) -> Job:
        """``POST /api/v1/videos``: the accepted job (``job_id``, ``state``, …)."""
        what = "submitting the link"
        response = self._call("POST", "/api/v1/videos", what, json={"url": url, "refresh": refresh})
        accepted: Job = self._json(response, what)
        return accepted

    def job(self, job_id: str) -> Job:
        """``GET /api/v1/jobs/{id}``: the job resource."""
        what = f"reading job {job_id}"
        job: Job = self._json(self._call("GET", f"/api/v1/jobs/{job_id}", what), what)
        return job

    def export(self, job_id: str, fmt: ExportFormat) -> bytes:
        """``GET /api/v1/jobs/{id}/places.{geojson|kml}``: the export file as served."""
        return self._call("GET", f"/api/v1/jobs/{job_id}/places.{fmt}", f"exporting {fmt}").content

    def history(self, limit: int, cursor: str | None = None) -> dict[str, Any]:
        """``GET /api/v1/me/history``: one page, newest first."""
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        what = "reading your history"
        page: dict[str, Any] = self._json(
            self._call("GET", "/api/v1/me/history", what, params=params), what
        )
        return page

    def login(self, email: str, password: str) -> dict[str, Any]:
        """``POST /auth/login`` (OAuth2 password form): ``access_token``, ``expires_in``…"""
        what = "signing in"
        response = self._call(
            "POST", "/auth/login", what, data={"username": email, "password": password}
        )
        tokens: dict[str, Any] = self._json(response, what)
        if not isinstance(tokens.get("access_token"), str):
            raise CliError(f"{what}: the answer holds no access token", ExitCode.API_ERROR)
        return tokens

    def follow(self, job_id: str, *, deadline: float) -> Iterator[Job]:
        """The job now and after every change, from ``GET /api/v1/jobs/{id}/events``
        (Server-Sent Events), until it ends. A dropped stream is opened again
        (with ``Last-Event-ID``); past ``deadline`` (``time.monotonic()``) it
        raises :attr:`ExitCode.TIMED_OUT` (checked on every event and keep-alive)."""
        last_event_id: str | None = None
        failures = 0
        path = f"/api/v1/jobs/{job_id}/events"
        while True:
            remaining = self._remaining(job_id, deadline)
            headers = {"Accept": "text/event-stream"}
            if last_event_id is not None:
                headers["Last-Event-ID"] = last_event_id
            timeout = httpx.Timeout(10.0, read=max(0.5, min(STREAM_SILENCE_S, remaining)))
            try:
                with self._http.stream("GET", path, headers=headers, timeout=timeout) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise_for_answer(response, f"following job {job_id}")
                    kind = response.headers.get("content-type", "")
                    if not kind.startswith("text/event-stream"):
                        raise CliError(
                            f"following job {job_id}: not an event stream ({kind})",
                            ExitCode.API_ERROR,
                        )
                    for event in server_sent_events(response.iter_lines()):
                        failures = 0
                        self._remaining(job_id, deadline)
                        if event is None:
                            continue  # a keep-alive
                        if event.id:
                            last_event_id = event.id
                        if event.event == "job":
                            yield _job_of(event.data, job_id)
                        elif event.event == "end":
                            return
            except httpx.TransportError as exc:
                failures += 1
                if time.monotonic() >= deadline:
                    continue  # reported as a timeout above
                if failures > STREAM_RECONNECTS:
                    raise self.unreachable(exc) from exc
                # A short, growing pause before opening the stream again.
                time.sleep(min(0.25 * 2**failures, 8.0))

    def _remaining(self, job_id: str, deadline: float) -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CliError(
                f"job {job_id} is still running after --timeout; the analysis goes on: "
                f"`pind analyse` with the same link joins it, or see "
                f"{self.base_url}/api/v1/jobs/{job_id}",
                ExitCode.TIMED_OUT,
            )
        return remaining


@dataclass(frozen=True)
class ServerSentEvent:
    event: str
    data: str
    id: str | None


def server_sent_events(lines: Iterable[str]) -> Iterator[ServerSentEvent | None]:
    """Decode a ``text/event-stream`` (WHATWG HTML, "event stream
    interpretation"): each dispatched event, and ``None`` for each comment
    line (a keep-alive), so a reader can act while the stream is quiet."""
    event, event_id = "", None
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield ServerSentEvent(event or "message", "\n".join(data), event_id)
            event, data = "", []
            continue
        if line.startswith(":"):
            yield None
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id" and "\0" not in value:
            event_id = value


def _job_of(data: str, job_id: str) -> Job:
    try:
        job = json.loads(data)
    except ValueError as exc:
        raise CliError(
            f"following job {job_id}: an event that is not JSON: {data[:100]!r}",
            ExitCode.API_ERROR,
        ) from exc
    if not isinstance(job, dict) or "state" not in job:
        raise CliError(f"following job {job_id}: an event without a job state", ExitCode.API_ERROR)
    return job
