"""``pind login``, ``history`` and ``logout`` against the real gateway and auth
service: the token kept 0600, the history of a signed-in user, exit code 4."""

from __future__ import annotations

import json
import stat
import uuid
from typing import Any


def email() -> str:
    return f"cli-{uuid.uuid4().hex[:12]}@tests.example.com"


async def test_login_keeps_the_token_privately_and_history_shows_analyses(
    pind: Any, helpers: Any
) -> None:
    address = email()
    await helpers.register(pind.api_url, address)

    login = await pind("login", "--email", address, "--password-stdin", stdin=helpers.password)
    assert login.code == 0, login.stderr
    assert f"signed in at {pind.api_url} as {address}" in login.stderr
    kept = pind.config_dir / "credentials.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(pind.config_dir.stat().st_mode) == 0o700
    entry = json.loads(kept.read_text())["servers"][pind.api_url]
    assert entry["email"] == address and entry["access_token"].count(".") == 2  # a JWT
    assert entry["expires_at"] is not None

    # A submission while signed in lands in the history (the analysis itself
    # need not finish for that).
    video_id = helpers.video_id()
    submitted = await pind("analyse", f"https://youtu.be/{video_id}", "--timeout", "0.5", "-q")
    assert submitted.code == 8, submitted.stderr

    listed = await pind("history", "--json")
    assert listed.code == 0, listed.stderr
    assert [item["video_id"] for item in json.loads(listed.stdout)["items"]] == [video_id]
    table = await pind("history")
    assert table.code == 0 and video_id in table.stdout

    logout = await pind("logout")
    assert logout.code == 0 and "signed out" in logout.stderr
    assert not kept.exists()
    after = await pind("history")
    assert after.code == 4
    assert "not signed in" in after.stderr and "pind login" in after.stderr


async def test_a_wrong_password_exits_4_and_keeps_nothing(pind: Any, helpers: Any) -> None:
    address = email()
    await helpers.register(pind.api_url, address)
    refused = await pind("login", "--email", address, "--password-stdin", stdin="not it at all")
    assert refused.code == 4, refused.stderr
    assert "signing in:" in refused.stderr
    assert not (pind.config_dir / "credentials.json").exists()


async def test_a_refused_token_exits_4_and_says_to_sign_in_again(pind: Any) -> None:
    from pind_cli.credentials import Credentials, CredentialStore

    CredentialStore(pind.config_dir).save(
        Credentials(pind.api_url, "someone@example.com", "not.a.token", None)
    )
    result = await pind("history")
    assert result.code == 4
    assert "run `pind login` again" in result.stderr


async def test_an_expired_sign_in_analyses_as_a_guest(pind: Any, helpers: Any) -> None:
    from pind_cli.credentials import Credentials, CredentialStore

    CredentialStore(pind.config_dir).save(
        Credentials(pind.api_url, "someone@example.com", "x.y.z", "2020-01-01T00:00:00+00:00")
    )
    video_id = helpers.video_id()
    result = await pind("analyse", f"https://youtu.be/{video_id}", "--timeout", "0.5")
    assert result.code == 8  # accepted as a guest (a kept token would have been refused: 4)
    assert "expired" in result.stderr and "as a guest" in result.stderr
    history = await pind("history")
    assert history.code == 4 and "expired" in history.stderr


async def test_login_without_a_terminal_needs_its_arguments(pind: Any) -> None:
    no_email = await pind("login", "--password-stdin", stdin="x")
    assert no_email.code == 2 and "--email" in no_email.stderr
    no_password = await pind("login", "--email", "a@example.com")
    assert no_password.code == 2 and "--password-stdin" in no_password.stderr
