"""``python -m benchmarks.gateway``: the gateway's throughput on this machine.

1. job-status GET: ``wrk`` against a real gateway (``pind-gateway``, its
   default worker processes, projection off), one job, keep-alive
   connections: requests/s and p50/p99 latency flat out, then p50/p99 with
   each connection paced by wrk's ``delay()`` to offer about 1,000 req/s in
   all (Debian ships wrk, not wrk2; the rate achieved is printed);
2. the job-status GET's tail while the gateway projects a steady feed of
   events: the same paced run against the all-in-one gateway and the split
   one (API processes beside a projector), side by side, and their p99
   ratio (:mod:`benchmarks.gateway.paced`);
3. submissions through the outbox to Kafka: ``wrk`` POSTs a new video per
   request to a real gateway; the jobs it created, over the time from the
   first request until every one's ``pind.video.requested`` record is on
   the broker (relay included);
4. the projection's rate: job-stage events pre-filled into the topic for jobs
   that exist, then a fresh consumer group projects them into PostgreSQL,
   timed until every event's processed mark is written.

Settings come from the environment as for ``pind-gateway`` (``.run/env``).
Each step uses its own videos, jobs and consumer groups; nothing else is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys

from benchmarks.gateway.paced import SETUPS, PacedResult, bench_paced
from benchmarks.gateway.projection import bench_projection
from benchmarks.gateway.status import bench_status_get
from benchmarks.gateway.submissions import bench_submissions
from benchmarks.gateway.tokens import bench_token_verification
from pind_gateway.settings import GatewaySettings
from pind_kit.logging import configure_logging
from pind_kit.topics import ensure_topics


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _say_ratio(results: list[PacedResult]) -> None:
    """all-in-one's p99 over split's, each the median of its runs."""
    p99s: dict[str, list[float]] = {}
    for p in results:
        p99s.setdefault(p.setup, []).append(p.wrk.p99_ms if p.wrk.requests else 0.0)
    if not {"all-in-one", "split"} <= set(p99s):
        return
    if not all(p99s["all-in-one"] + p99s["split"]):
        _say("job-status GET  paced p99 all-in-one / split  n/a: a run had no answer")
        return
    whole, split = (statistics.median(p99s[s]) for s in ("all-in-one", "split"))
    _say(
        f"job-status GET  paced p99 all-in-one / split  {whole:.2f} / {split:.2f} ms"
        f" = {whole / split:.1f}x  (median of {len(p99s['split'])} run(s) each)"
    )


def _environment(pairs: list[str]) -> dict[str, str]:
    environment = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.startswith(("PIND_", "PYTHON")):
            raise SystemExit(f"--gateway-env takes PIND_KEY=VALUE (or PYTHON...=...), not {pair!r}")
        environment[key] = value
    return environment


async def main_async(args: argparse.Namespace) -> None:
    if args.only == {"verify"}:
        signed, cached = await bench_token_verification(args.tokens)
        _say(
            f"access-token verification (one core)  {signed:8.0f}/s new tokens, "
            f"{cached:8.0f}/s repeated (cache)"
        )
        return
    # Topics of its own (for the gateway processes it starts too): a stack
    # running beside the bench neither feeds the projection bench's topic nor
    # analyses the submissions bench's jobs.
    os.environ["PIND_KAFKA_TOPIC_PREFIX"] = "bench." + os.environ.get("PIND_KAFKA_TOPIC_PREFIX", "")
    settings = GatewaySettings(log_level="WARNING")
    configure_logging(settings)
    await ensure_topics(settings.kafka_bootstrap, prefix=settings.kafka_topic_prefix)
    if "get" in args.only:
        for how, r in await bench_status_get(settings, args.duration):
            _say(
                f"job-status GET  wrk c={r.connections:<3} {how:<17} {r.requests_per_s:8.0f} req/s"
                f"  p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:6.2f} ms  non-2xx {r.errors}"
            )
    if "paced" in args.only:
        results = await bench_paced(
            settings,
            args.duration,
            setups=args.setups,
            repeat=args.repeat,
            feed_rate=args.feed_rate,
            jobs=args.feed_jobs,
            gateway_env=args.gateway_env,
            wrk_cpus=args.wrk_cpus,
        )
        for p in results:
            r = p.wrk
            if r.requests == 0:
                _say(f"job-status GET  paced  {p.setup}: no answer within the run")
                continue
            _say(
                f"job-status GET  paced ~1000/s, {args.feed_rate} events/s fed  {p.setup:<11} "
                f"{r.requests_per_s:6.0f} req/s  p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:7.2f} ms"
                f"  non-2xx {r.errors}  projected {p.projected}/{p.fed}"
            )
        _say_ratio(results)
    if "submit" in args.only:
        done = await bench_submissions(settings, args.duration)
        _say(
            f"submissions → outbox → Kafka   {done.jobs_per_s:8.0f} jobs/s ({done.jobs} jobs; "
            f"wrk c={done.wrk.connections} p50 {done.wrk.p50_ms:.1f} ms "
            f"p99 {done.wrk.p99_ms:.1f} ms non-2xx {done.wrk.errors})"
        )
    if "verify" in args.only:
        signed, cached = await bench_token_verification(args.tokens)
        _say(
            f"access-token verification (one core)  {signed:8.0f}/s new tokens, "
            f"{cached:8.0f}/s repeated (cache)"
        )
    if "project" in args.only:
        rate = await bench_projection(settings, args.jobs, args.events_per_job)
        _say(
            f"projection from a pre-filled topic  {rate:8.0f} events/s "
            f"({args.jobs * args.events_per_job} events)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gateway", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--events-per-job", type=int, default=50)
    parser.add_argument("--tokens", type=int, default=5000)
    parser.add_argument(
        "--only",
        default="get,paced,submit,project,verify",
        help="comma-separated: get, paced, submit, project, verify",
    )
    parser.add_argument(
        "--setups",
        default="all-in-one,split",
        help=f"paced: comma-separated gateway setups, of {', '.join(SETUPS)}",
    )
    parser.add_argument("--repeat", type=int, default=1, help="paced: runs of each setup")
    parser.add_argument(
        "--feed-rate", type=int, default=500, help="paced: events/s fed to the projection"
    )
    parser.add_argument("--feed-jobs", type=int, default=50, help="paced: jobs the feed reports on")
    parser.add_argument(
        "--gateway-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="paced: extra environment of every gateway process (experiments)",
    )
    parser.add_argument(
        "--wrk-cpus", default="", help="paced: pin wrk to these CPUs (taskset list, e.g. 1)"
    )
    args = parser.parse_args(argv)
    args.only = set(args.only.split(","))
    args.setups = [s for s in args.setups.split(",") if s]
    args.gateway_env = _environment(args.gateway_env)
    args.wrk_cpus = [int(c) for c in args.wrk_cpus.split(",") if c]
    if args.repeat < 1 or args.feed_rate < 1 or args.feed_jobs < 1:
        parser.error("--repeat, --feed-rate and --feed-jobs must be at least 1")
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
