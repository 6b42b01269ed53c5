"""pind-fakes: run the outside world's stand-ins.

pind-fakes serve                 # YouTube :8900, Gemini :8901, geocoders :8902
pind-fakes youtube --port 8900   # just one of them
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from pind_fakes.server import FAKES, run_forever
from pind_fakes.settings import FakesSettings


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                "level": record.levelname.lower(),
                "logger": record.name,
                "event": record.getMessage(),
            },
            ensure_ascii=False,
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pind-fakes", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", *FAKES):
        command = commands.add_parser(
            name, help="all three fakes" if name == "serve" else f"fake {name}"
        )
        command.add_argument("--host", help="bind address (default 127.0.0.1)")
        if name == "serve":
            command.add_argument("--youtube-port", type=int)
            command.add_argument("--gemini-port", type=int)
            command.add_argument("--geocoders-port", type=int)
        else:
            command.add_argument("--port", type=int)
        command.add_argument("--samples-dir", type=Path, help="samples/vlogs of the repository")
        command.add_argument("--scenarios-file", type=Path)
        command.add_argument(
            "--gazetteer-dir", type=Path, help="default: data/gazetteer/kr in the repository"
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    overrides = {
        key: value
        for key, value in vars(args).items()
        if key not in ("command", "port") and value is not None
    }
    if getattr(args, "port", None) is not None:
        overrides[f"{args.command}_port"] = args.port
    settings = FakesSettings(**overrides)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonLines())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    names = list(FAKES) if args.command == "serve" else [args.command]
    try:
        asyncio.run(run_forever(names, settings))
    except OSError as error:  # e.g. the port is taken
        logging.getLogger("pind_fakes").error("cannot start: %s", error)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
