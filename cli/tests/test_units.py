"""The parts of ``pind`` that need no server: the event-stream decoder, the
answer-to-exit-code mapping, the credential file, the order of places."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import httpx
import pytest

from pind_cli.api import ServerSentEvent, raise_for_answer, server_sent_events
from pind_cli.credentials import Credentials, CredentialStore
from pind_cli.errors import CliError, ExitCode
from pind_cli.render import StageProgress, places_in_video_order


def test_event_stream_decoding() -> None:
    lines = [
        ": keep-alive",
        "",
        "id: 1",
        "event: job",
        'data: {"state":',
        'data: "running"}',
        "",
        "data:no space",
        "",
        "id: 2",
        "event: end",
        'data: {"state": "succeeded"}',
        "",
    ]
    assert list(server_sent_events(lines)) == [
        None,
        ServerSentEvent("job", '{"state":\n"running"}', "1"),
        ServerSentEvent("message", "no space", "1"),
        ServerSentEvent("end", '{"state": "succeeded"}', "2"),
    ]


@pytest.mark.parametrize(
    ("status", "headers", "body", "code", "text"),
    [
        (401, {}, {"detail": "sign in first", "code": "x"}, ExitCode.AUTH, "sign in first"),
        (403, {}, {"detail": "no"}, ExitCode.AUTH, "no"),
        (429, {"Retry-After": "12"}, {"detail": "slow down"}, ExitCode.RATE_LIMITED, "in 12 s"),
        (422, {}, {"detail": "not a YouTube video link"}, ExitCode.USAGE, "YouTube"),
        (422, {}, {"detail": [{"msg": "field required"}]}, ExitCode.USAGE, "field required"),
        (503, {}, {"message": "database down"}, ExitCode.API_ERROR, "answered 503"),
    ],
)
def test_error_answers_map_to_exit_codes(
    status: int, headers: dict[str, str], body: object, code: ExitCode, text: str
) -> None:
    answer = httpx.Response(status, headers=headers, json=body)
    with pytest.raises(CliError) as raised:
        raise_for_answer(answer, "doing it")
    assert raised.value.code is code
    assert text in raised.value.message and raised.value.message.startswith("doing it: ")


def test_success_answers_pass() -> None:
    raise_for_answer(httpx.Response(202, json={}), "submitting")


def test_credential_file_is_private_and_per_server(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "pind")
    one = Credentials("http://a:8000", "a@example.com", "t.o.k", None)
    two = Credentials("http://b:8000", "b@example.com", "k.o.t", "2999-01-01T00:00:00+00:00")
    store.save(one)
    store.save(two)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.load("http://a:8000") == one and store.load("http://b:8000") == two
    assert not two.expired()
    store.path.chmod(0o644)  # loosened by someone: tightened again on the next read
    assert store.load("http://a:8000") == one
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.remove("http://a:8000") and not store.remove("http://a:8000")
    assert store.load("http://b:8000") == two
    assert store.remove("http://b:8000") and not store.path.exists()
    assert [p.name for p in store.dir.iterdir()] == []  # no temporary file left


def test_a_damaged_credential_file_says_what_to_do(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.path.write_text("{not json")
    with pytest.raises(CliError) as raised:
        store.load("http://a:8000")
    assert raised.value.code is ExitCode.AUTH and "delete it" in raised.value.message


def test_places_in_video_order_puts_untimed_last() -> None:
    def place(name: str, *times: float | None) -> dict[str, object]:
        return {"name": name, "evidence": [{"start_s": t} for t in times]}

    job = {"places": [place("title only", None), place("late", 300.0), place("early", 90.0, 20.0)]}
    assert [p["name"] for p in places_in_video_order(job)] == ["early", "late", "title only"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_per_stage() -> None:
    screen = Terminal()
    job = {
        "stages": {
            "ingest": {"state": "succeeded", "progress": 100},
            "vision": {"state": "failed", "progress": 40, "reason": "no stream"},
        }
    }
    with StageProgress(screen) as progress:
        progress.update(job)
    shown = screen.getvalue()
    assert "━" in shown  # rich's bar
    assert "ingest" in shown and "100%" in shown and "succeeded" in shown
    assert "vision" in shown and "40%" in shown and "failed: no stream" in shown
    assert "ingest: succeeded" not in shown  # no plain lines on a terminal


def test_quiet_shows_nothing() -> None:
    plain = io.StringIO()
    with StageProgress(plain, quiet=True) as progress:
        progress.update({"stages": {"ingest": {"state": "running", "progress": 10}}})
    assert plain.getvalue() == ""
