"""``pind``: the command line. ``pind analyse URL`` submits a YouTube link,
follows the analysis live (Server-Sent Events) with a bar per stage and prints
the places (or writes their GeoJSON/KML/JSON); ``pind login``, ``pind logout``,
``pind history``. Data goes to standard output, everything else to standard
error; the exit code says what happened (:class:`~pind_cli.errors.ExitCode`).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, TextIO

from pydantic import ValidationError

from pind_cli.api import FINAL_STATES, ExportFormat, Job, PindApi
from pind_cli.credentials import Credentials, CredentialStore
from pind_cli.errors import CliError, ExitCode
from pind_cli.render import StageProgress, console, history_table, places_table, summary_lines
from pind_cli.settings import CliSettings

EXIT_BY_STATE = {
    "succeeded": ExitCode.OK,
    "partial": ExitCode.PARTIAL,
    "failed": ExitCode.JOB_FAILED,
}
EXIT_CODES_HELP = """exit codes:
  0 ok (the job succeeded)    1 unexpected answer from the API    2 usage or input refused
  3 the job failed            4 not signed in / sign-in refused   5 API unreachable
  6 the job ended partial     7 rate limited                      8 --timeout passed
  130 interrupted
"""


@dataclass
class Streams:
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO

    def say(self, message: str) -> None:
        self.stderr.write(f"pind: {message}\n")
        self.stderr.flush()


class _Parser(argparse.ArgumentParser):
    """argparse writing to our streams and raising instead of exiting."""

    streams: Streams

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            target = self.streams.stderr if file is sys.stderr else self.streams.stdout
            target.write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self.streams.stderr.write(message)
        raise _Exit(status)

    def error(self, message: str) -> NoReturn:
        self.print_usage(self.streams.stderr)
        raise CliError(f"{message} (see `{self.prog} --help`)", ExitCode.USAGE)


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def _parser(streams: Streams) -> _Parser:
    common = _Parser(add_help=False)
    common.streams = streams
    common.add_argument(
        "--api",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the pind API's base URL (env PIND_API_URL; default http://127.0.0.1:8000)",
    )

    def parser(**kwargs: Any) -> _Parser:
        made = _Parser(**kwargs)
        made.streams = streams
        return made

    root = parser(
        prog="pind",
        description="Find the places in a Korean travel or food vlog, from the terminal.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, **kwargs: Any) -> _Parser:
        made: _Parser = commands.add_parser(
            name,
            parents=[common],
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kwargs,
        )
        made.streams = streams
        return made

    analyse = command(
        "analyse",
        aliases=["analyze"],
        help="analyse a YouTube link and print its places",
        description="Submit a YouTube link, follow the analysis with a bar per stage, "
        "then print the places (or write an export).",
    )
    analyse.add_argument("url", help="a YouTube watch, youtu.be, shorts, embed or live link")
    analyse.add_argument(
        "--refresh", action="store_true", help="analyse again even if pind knows the video"
    )
    output = analyse.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the job resource as JSON")
    output.add_argument(
        "--geojson", action="store_true", help="the places as a GeoJSON FeatureCollection"
    )
    output.add_argument("--kml", action="store_true", help="the places as KML (Google My Maps)")
    analyse.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write there instead of stdout"
    )
    analyse.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=1800.0,
        help="give up following after this long (exit 8; the analysis goes on)",
    )
    analyse.add_argument("-q", "--quiet", action="store_true", help="no progress output")

    login = command(
        "login",
        help="sign in and keep the access token",
        description="Sign in with your pind account; the access token is kept, readable by "
        "you only, in the config folder (PIND_CONFIG_DIR; ~/.config/pind on Linux).",
    )
    login.add_argument("--email", help="your account's e-mail (asked when missing)")
    login.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (for scripts) instead of asking",
    )

    command("logout", help="forget the kept access token", description="Forget the token.")

    history = command(
        "history", help="the videos you analysed", description="Your history, newest first."
    )
    history.add_argument(
        "--limit", type=int, default=20, choices=range(1, 101), metavar="N", help="1-100"
    )
    history.add_argument("--cursor", help="the next page's cursor, as a page prints it")
    history.add_argument("--json", action="store_true", help="the page as JSON")
    return root


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
        args = _parser(streams).parse_args(argv)
        try:
            settings = CliSettings()
        except ValidationError as exc:
            raise CliError(f"bad PIND_* setting: {exc}", ExitCode.USAGE) from exc
        api_url = str(getattr(args, "api", None) or settings.api_url).rstrip("/")
        if not api_url.startswith(("http://", "https://")):
            raise CliError(f"--api {api_url!r}: give an http:// or https:// URL", ExitCode.USAGE)
        store = CredentialStore(settings.config_dir)
        handler = {
            "analyse": _analyse,
            "analyze": _analyse,
            "login": _login,
            "logout": _logout,
            "history": _history,
        }[args.command]
        return int(handler(args, api_url, store, streams))
    except _Exit as done:
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


# --- commands ------------------------------------------------------------------------------


def _write(data: bytes | str, target: Path | None, streams: Streams) -> None:
    if target is None:
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        streams.stdout.write(data if data.endswith("\n") else data + "\n")
        streams.stdout.flush()
        return
    try:
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_bytes(data)
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc}", ExitCode.USAGE) from exc
    streams.say(f"wrote {target}")


def _analyse(args: argparse.Namespace, api_url: str, store: CredentialStore, io: Streams) -> int:
    credentials = store.load(api_url)
    token = None
    if credentials is not None and credentials.expired():
        io.say(
            f"your sign-in at {api_url} expired at {credentials.expires_at}: analysing as a "
            "guest (not kept in your history); `pind login` to sign in again"
        )
    elif credentials is not None:
        token = credentials.access_token
    deadline = time.monotonic() + args.timeout
    with PindApi(api_url, token=token) as api:
        try:
            accepted = api.submit(args.url, refresh=args.refresh)
        except CliError as exc:
            if exc.code is ExitCode.AUTH and token is not None:
                exc.message += "; the kept token was refused: run `pind login` again"
            raise
        job_id = str(accepted["job_id"])
        if not args.quiet:
            io.say(
                f"job {job_id} for video {accepted.get('video_id')}: "
                f"{accepted.get('answered_from')}, {accepted.get('state')}"
            )
        job = _follow(api, job_id, accepted, deadline, io, quiet=args.quiet)
        fmt: ExportFormat | None = "geojson" if args.geojson else "kml" if args.kml else None
        if fmt is not None:
            _write(api.export(job_id, fmt), args.output, io)
        elif args.json:
            _write(json.dumps(job, ensure_ascii=False, indent=2), args.output, io)
        else:
            _print_places(job, api_url, args.output, io)
    state = str(job.get("state"))
    if state != "succeeded" and not args.quiet:
        io.say(f"job {job_id} ended {state}: {job.get('error') or 'no reason given'}")
    return int(EXIT_BY_STATE.get(state, ExitCode.API_ERROR))


def _follow(
    api: PindApi, job_id: str, accepted: Job, deadline: float, io: Streams, *, quiet: bool
) -> Job:
    if accepted.get("state") in FINAL_STATES:  # answered from an earlier analysis
        return api.job(job_id)
    last: Job | None = None
    with StageProgress(io.stderr, quiet=quiet) as progress:
        for job in api.follow(job_id, deadline=deadline):
            progress.update(job)
            last = job
    if last is None or last.get("state") not in FINAL_STATES:
        return api.job(job_id)  # the stream ended on its own: the job as it is now
    return last


def _print_places(job: Job, api_url: str, target: Path | None, io: Streams) -> None:
    if target is None:
        out = console(io.stdout)
        out.print(places_table(job))
        for line in summary_lines(job, api_url):
            out.print(line)
        return
    with target.open("w", encoding="utf-8") as file:
        out = console(file)
        out.print(places_table(job))
        for line in summary_lines(job, api_url):
            out.print(line)
    io.say(f"wrote {target}")


def _login(args: argparse.Namespace, api_url: str, store: CredentialStore, io: Streams) -> int:
    email = args.email
    if not email:
        if not io.stdin.isatty():
            raise CliError("no terminal to ask on: pass --email", ExitCode.USAGE)
        io.stderr.write("e-mail: ")
        io.stderr.flush()
        email = io.stdin.readline().strip()
    if args.password_stdin:
        password = io.stdin.readline().rstrip("\r\n")
    elif io.stdin.isatty():
        password = getpass.getpass("password: ", stream=io.stderr)
    else:
        raise CliError("no terminal to ask the password on: use --password-stdin", ExitCode.USAGE)
    if not email or not password:
        raise CliError("an e-mail and a password are needed", ExitCode.USAGE)
    with PindApi(api_url) as api:
        tokens = api.login(email, password)
    expires_at = None
    if isinstance(tokens.get("expires_in"), int):
        expires_at = (datetime.now(UTC) + timedelta(seconds=tokens["expires_in"])).isoformat()
    store.save(Credentials(api_url, email, tokens["access_token"], expires_at))
    until = f" until {expires_at}" if expires_at else ""
    io.say(f"signed in at {api_url} as {email}{until} (token kept in {store.path})")
    return int(ExitCode.OK)


def _logout(args: argparse.Namespace, api_url: str, store: CredentialStore, io: Streams) -> int:
    if store.remove(api_url):
        io.say(f"signed out of {api_url} (the kept token is deleted)")
    else:
        io.say(f"not signed in at {api_url}; nothing to forget")
    return int(ExitCode.OK)


def _history(args: argparse.Namespace, api_url: str, store: CredentialStore, io: Streams) -> int:
    credentials = store.load(api_url)
    if credentials is None:
        raise CliError(f"not signed in at {api_url}: run `pind login` first", ExitCode.AUTH)
    if credentials.expired():
        raise CliError(
            f"your sign-in at {api_url} expired at {credentials.expires_at}: "
            "run `pind login` again",
            ExitCode.AUTH,
        )
    with PindApi(api_url, token=credentials.access_token) as api:
        try:
            page = api.history(args.limit, args.cursor)
        except CliError as exc:
            if exc.code is ExitCode.AUTH:
                exc.message += "; run `pind login` again"
            raise
    if args.json:
        _write(json.dumps(page, ensure_ascii=False, indent=2), None, io)
        return int(ExitCode.OK)
    out = console(io.stdout)
    out.print(history_table(page))
    if page.get("next_cursor"):
        out.print(f"more: pind history --cursor {page['next_cursor']}")
    return int(ExitCode.OK)
