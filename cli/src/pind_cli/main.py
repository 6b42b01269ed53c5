"""``pind``: the command line. ``pind analyse URL`` submits a YouTube link,
follows the analysis live (Server-Sent Events) with a bar per stage and prints
the places (or writes their GeoJSON/KML/JSON); ``pind login``, ``pind logout``,
``pind history``. Data goes to standard output, everything else to standard
error; the exit code says what happened (:class:`~pind_cli.errors.ExitCode`).
"""

from __future__ import annotations

import sys
from typing import TextIO

from pydantic import ValidationError

from pind_cli.arguments import ParserExit, Streams, build_parser
from pind_cli.commands import analyse, history, login, logout
from pind_cli.credentials import CredentialStore
from pind_cli.errors import CliError, ExitCode
from pind_cli.settings import CliSettings


def run(
    argv: list[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command ``argv`` and return its exit code (never exits)."""
    streams = Streams(stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    try:
        args = build_parser(streams).parse_args(argv)
        try:
            settings = CliSettings()
        except ValidationError as exc:
            raise CliError(f"bad PIND_* setting: {exc}", ExitCode.USAGE) from exc
        api_url = str(getattr(args, "api", None) or settings.api_url).rstrip("/")
        if not api_url.startswith(("http://", "https://")):
            raise CliError(f"--api {api_url!r}: give an http:// or https:// URL", ExitCode.USAGE)
        store = CredentialStore(settings.config_dir)
        handler = {
            "analyse": analyse,
            "analyze": analyse,
            "login": login,
            "logout": logout,
            "history": history,
        }[args.command]
        return int(handler(args, api_url, store, streams))
    except ParserExit as done:
        return done.status
    except CliError as exc:
        streams.say(exc.message)
        return int(exc.code)
    except KeyboardInterrupt:
        streams.say(
            "interrupted (an analysis already submitted goes on; `pind analyse` rejoins it)"
        )
        return int(ExitCode.INTERRUPTED)


def main() -> None:
    """The ``pind`` console script."""
    sys.exit(run())
