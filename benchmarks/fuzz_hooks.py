"""Schemathesis hooks of ``python -m benchmarks.fuzz`` (loaded through
``SCHEMATHESIS_HOOKS`` in the schemathesis process, configured by
``PIND_FUZZ_HOOK_*`` variables that the fuzz command sets).

- Every call's operation and status code is appended to a JSON-lines file, from
  which the fuzz command prints its per-operation coverage.
- Signed in: every request carries a fuzz account's access token. The account
  is refreshed with its refresh token when schemathesis asks again (every few
  minutes, and after a 401); when the fuzz itself has changed its password or
  deleted it, or its session cannot be refreshed or signed in again, the next
  account of the run is registered and signed in instead.
- A body's ``refresh_token`` is, half of the time, a live one from a spare
  session, so refresh and logout are reached past "unknown token".
"""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from pydantic_settings import BaseSettings, SettingsConfigDict

from benchmarks.fuzz import account_email


class FuzzHookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIND_FUZZ_HOOK_", extra="ignore")

    calls_file: Path
    api: str
    signed_in: bool = False
    auth_url: str
    account_prefix: str
    accounts: int = 50
    password: str


class Accounts:
    """The run's fuzz accounts: sign in (registering on first use), refresh,
    and move on to the next account when the fuzz has made one unusable."""

    def __init__(self, settings: FuzzHookSettings) -> None:
        self._settings = settings
        self._http = httpx.Client(base_url=settings.auth_url, timeout=30)
        self._index = 0
        self._refresh_token: str | None = None
        self._lock = threading.Lock()

    def access_token(self) -> str:
        with self._lock:
            if self._refresh_token is not None:
                answer = self._http.post(
                    "/api/v1/auth/refresh", json={"refresh_token": self._refresh_token}
                )
                if answer.status_code == 200:
                    return self._keep(answer.json())
                self._refresh_token = None
            while self._index < self._settings.accounts:
                tokens = self._sign_in(self._email(self._index))
                if tokens is not None:
                    return self._keep(tokens)
                self._index += 1
            raise RuntimeError(
                f"all {self._settings.accounts} fuzz accounts are unusable (deleted, or their "
                "passwords changed, by the fuzz); raise PIND_FUZZ_HOOK_ACCOUNTS"
            )

    def retire(self) -> None:
        """The fuzz changed the account's password or deleted it: sign in with the
        next account when a token is asked for again (after the next 401)."""
        with self._lock:
            self._index += 1
            self._refresh_token = None

    def spare_refresh_token(self) -> str | None:
        """A live refresh token of a session nobody else uses."""
        with self._lock:
            tokens = self._sign_in(self._email(self._index))
        return None if tokens is None else str(tokens["refresh_token"])

    def _email(self, index: int) -> str:
        return account_email(self._settings.account_prefix, index)

    def _sign_in(self, email: str) -> dict[str, Any] | None:
        credentials = {"email": email, "password": self._settings.password}
        answer = self._http.post("/api/v1/auth/login", json=credentials)
        if answer.status_code == 401:
            registered = self._http.post("/api/v1/auth/register", json=credentials)
            if registered.status_code != 202:
                raise RuntimeError(
                    f"registering fuzz account {email} answered {registered.status_code}: "
                    f"{registered.text[:300]}"
                )
            answer = self._http.post("/api/v1/auth/login", json=credentials)
        if answer.status_code == 200:
            tokens: dict[str, Any] = answer.json()
            return tokens
        if answer.status_code == 401:
            return None  # password changed or account deleted by the fuzz, or not registrable
        raise RuntimeError(f"signing in {email} answered {answer.status_code}: {answer.text[:300]}")

    def _keep(self, tokens: dict[str, Any]) -> str:
        self._refresh_token = str(tokens["refresh_token"])
        return str(tokens["access_token"])


SETTINGS = FuzzHookSettings()  # every field from the environment (set by benchmarks.fuzz)
ACCOUNTS = Accounts(SETTINGS)
_calls_lock = threading.Lock()
_random = random.Random(0)


if SETTINGS.signed_in:

    @schemathesis.auth(refresh_interval=240)
    class FuzzAccountAuth:
        """An access token lives 10 minutes: ask for a fresh one every 4."""

        def get(self, case: Any, context: Any) -> str:
            return ACCOUNTS.access_token()

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    body = case.body
    if isinstance(body, dict) and "refresh_token" in body and _random.random() < 0.5:
        token = ACCOUNTS.spare_refresh_token()
        if token is not None:
            case.body = {**body, "refresh_token": token}


# Calls that, answered 2xx, leave the signed-in account without its password.
ACCOUNT_ENDING = {"POST /api/v1/auth/password", "DELETE /api/v1/auth/me"}


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    ended = case.operation.label in ACCOUNT_ENDING and 200 <= response.status_code < 300
    if SETTINGS.signed_in and ended:
        ACCOUNTS.retire()
    record = {
        "api": SETTINGS.api,
        "signed_in": SETTINGS.signed_in,
        "operation": case.operation.label,
        "status": response.status_code,
    }
    with _calls_lock, SETTINGS.calls_file.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")
