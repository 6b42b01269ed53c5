"""``pind``'s command line grammar: the commands and their options (argparse),
a parser that writes to the given streams and raises instead of exiting, and
the streams a command reads and writes."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from pind_cli.errors import CliError, ExitCode

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


class CliParser(argparse.ArgumentParser):
    """argparse writing to our streams and raising instead of exiting."""

    streams: Streams

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            target = self.streams.stderr if file is sys.stderr else self.streams.stdout
            target.write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self.streams.stderr.write(message)
        raise ParserExit(status)

    def error(self, message: str) -> NoReturn:
        self.print_usage(self.streams.stderr)
        raise CliError(f"{message} (see `{self.prog} --help`)", ExitCode.USAGE)


class ParserExit(Exception):
    """The parser is done (``--help`` printed): the run ends with ``status``."""

    def __init__(self, status: int) -> None:
        self.status = status


def build_parser(streams: Streams) -> CliParser:
    common = CliParser(add_help=False)
    common.streams = streams
    common.add_argument(
        "--api",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the pind API's base URL (env PIND_API_URL; default http://127.0.0.1:8000)",
    )

    def parser(**kwargs: Any) -> CliParser:
        made = CliParser(**kwargs)
        made.streams = streams
        return made

    root = parser(
        prog="pind",
        description="Find the places in a Korean travel or food vlog, from the terminal.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    commands = root.add_subparsers(dest="command", required=True, parser_class=CliParser)

    def command(name: str, **kwargs: Any) -> CliParser:
        made: CliParser = commands.add_parser(
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
