"""The access token ``pind login`` keeps, per API base URL, in the user's
config folder: ``credentials.json``, readable by its owner only (0600, in a
0700 folder), replaced atomically so a crash never leaves half a file."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pind_cli.errors import CliError, ExitCode

FILE_NAME = "credentials.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Credentials:
    api_url: str
    email: str
    access_token: str
    expires_at: str | None = None  # ISO 8601, UTC

    def expired(self, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return False
        return datetime.fromisoformat(self.expires_at) <= (now or datetime.now(UTC))


class CredentialStore:
    """``<config_dir>/credentials.json``: ``{"version": 1, "servers": {url: {...}}}``."""

    def __init__(self, config_dir: Path) -> None:
        self.dir = config_dir
        self.path = config_dir / FILE_NAME

    def _read(self) -> dict[str, Any]:
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return {}
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            # Someone loosened it: a token others can read must not stay so.
            self.path.chmod(0o600)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CliError(
                f"cannot read {self.path} ({exc}); delete it and run `pind login` again",
                ExitCode.AUTH,
            ) from exc
        servers = data.get("servers") if isinstance(data, dict) else None
        return servers if isinstance(servers, dict) else {}

    def load(self, api_url: str) -> Credentials | None:
        entry = self._read().get(api_url)
        if not isinstance(entry, dict):
            return None
        try:
            return Credentials(**entry)
        except TypeError:
            return None

    def save(self, credentials: Credentials) -> None:
        servers = self._read()
        servers[credentials.api_url] = asdict(credentials)
        self._write(servers)

    def remove(self, api_url: str) -> bool:
        servers = self._read()
        if servers.pop(api_url, None) is None:
            return False
        if servers:
            self._write(servers)
        else:
            self.path.unlink(missing_ok=True)
        return True

    def _write(self, servers: dict[str, Any]) -> None:
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        body = json.dumps({"version": FORMAT_VERSION, "servers": servers}, indent=2)
        temporary = self.dir / f".{FILE_NAME}.{os.getpid()}.tmp"
        temporary.unlink(missing_ok=True)  # left by a crash of an earlier process
        # Created 0600 from the start: the token is never readable by others,
        # not even for the moment between writing and a chmod.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(body + "\n")
                out.flush()
                os.fsync(out.fileno())
            temporary.replace(self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            raise
