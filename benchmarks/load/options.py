"""Command-line options of ``python -m benchmarks.load`` (``make load``)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    duration_s: float
    rate: float
    guests: int
    users: int
    frames: int
    celery: bool
    celery_workers: int
    drain_s: float
    lag_every_s: float
    warmup_s: float
    quick: bool

    @property
    def clients(self) -> int:
        return self.guests + self.users

    @property
    def max_videos(self) -> int:
        """Ids each system may submit: more than it can in the run (the catalogue has twice)."""
        paced = self.rate * self.duration_s if self.rate > 0 else 400 * self.duration_s
        return int(paced * 1.2) + self.clients + 100


def _positive(kind: type[float] | type[int]):  # type: ignore[no-untyped-def]
    def parse(text: str) -> float | int:
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must be >= 0, not {text}")
        return value

    return parse


def parse(argv: list[str] | None = None) -> Options:
    quick_env = os.environ.get("PIND_LOAD_QUICK", "0")
    if quick_env not in ("0", "1"):
        raise SystemExit(f"PIND_LOAD_QUICK must be 0 or 1, not '{quick_env}'")
    quick = quick_env == "1"
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description="make load: pind end to end under concurrent guests and users, "
        "and the same fake work through a Celery chain on Redis.",
    )
    parser.add_argument(
        "--duration",
        type=_positive(float),
        default=4.0 if quick else 120.0,
        help="seconds of submissions per system (default 120; PIND_LOAD_QUICK=1: 4)",
    )
    parser.add_argument(
        "--rate",
        type=_positive(float),
        default=50.0,
        help="most submissions a second over all clients; 0: as fast as the clients go "
        "(each has one job in flight) (default 50, the issue's target)",
    )
    parser.add_argument("--guests", type=_positive(int), default=8 if quick else 48)
    parser.add_argument("--users", type=_positive(int), default=2 if quick else 16)
    parser.add_argument(
        "--frames",
        type=int,
        choices=(0, 1),
        default=0,
        help="0: the videos carry no picture (vision skips them); 1: a 1 s clip, OCR on "
        "one frame (default 0)",
    )
    parser.add_argument(
        "--no-celery", dest="celery", action="store_false", help="skip the Celery baseline"
    )
    parser.add_argument(
        "--celery-workers",
        type=_positive(int),
        default=2,
        help="Celery worker processes (prefork concurrency; default 2, one per core)",
    )
    parser.add_argument(
        "--drain",
        type=_positive(float),
        default=30.0,
        help="seconds to wait for jobs in flight after the last submission (default 30)",
    )
    args = parser.parse_args(argv)
    if args.guests + args.users == 0:
        parser.error("at least one guest or user")
    return Options(
        duration_s=args.duration,
        rate=args.rate,
        guests=args.guests,
        users=args.users,
        frames=args.frames,
        celery=args.celery,
        celery_workers=max(1, args.celery_workers),
        drain_s=args.drain,
        lag_every_s=0.5 if quick else 2.0,
        warmup_s=600.0,
        quick=quick,
    )
