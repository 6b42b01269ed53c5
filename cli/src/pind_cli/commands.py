"""What each ``pind`` command does: ``analyse`` (submit, follow the stages live,
print the places or write an export), ``login``, ``logout`` and ``history``;
each returns its exit code."""

from __future__ import annotations

import argparse
import getpass
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pind_cli.api import FINAL_STATES, ExportFormat, Job, PindApi
from pind_cli.arguments import Streams
from pind_cli.credentials import Credentials, CredentialStore
from pind_cli.errors import CliError, ExitCode
from pind_cli.render import StageProgress, console, history_table, places_table, summary_lines

EXIT_BY_STATE = {
    "succeeded": ExitCode.OK,
    "partial": ExitCode.PARTIAL,
    "failed": ExitCode.JOB_FAILED,
}


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


def analyse(args: argparse.Namespace, api_url: str, store: CredentialStore, io: Streams) -> int:
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


def login(args: argparse.Namespace, api_url: str, store: CredentialStore, io: Streams) -> int:
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


def logout(args: argparse.Namespace, api_url: str, store: CredentialStore, io: Streams) -> int:
    if store.remove(api_url):
        io.say(f"signed out of {api_url} (the kept token is deleted)")
    else:
        io.say(f"not signed in at {api_url}; nothing to forget")
    return int(ExitCode.OK)


def history(args: argparse.Namespace, api_url: str, store: CredentialStore, io: Streams) -> int:
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
