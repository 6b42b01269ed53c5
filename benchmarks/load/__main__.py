"""``python -m benchmarks.load`` (``make load``): see :mod:`benchmarks.load`."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.load import celery_run, pind_run, report, videos
from benchmarks.load.database import own_database
from benchmarks.load.options import Options, parse
from pind_kit.testing import REPO_ROOT, run_env


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def main(options: Options) -> int:
    bootstrap = run_env().get("PIND_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    run = pind_run.new_run_id()
    log_dir = Path(os.environ.get("PIND_RUN_DIR", REPO_ROOT / ".run")) / "load-logs" / run
    log_dir.mkdir(parents=True, exist_ok=True)
    pace = f"at most {options.rate:g}/s" if options.rate > 0 else "unpaced"
    say(
        f"pind load run {run}: {options.duration_s:g} s of submissions per system, {pace}, "
        f"{options.guests} guests + {options.users} signed-in users, one job in flight each; "
        f"logs in {log_dir}"
    )
    say(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory(prefix="pind-load-") as work:
        catalogue = videos.build(Path(work), run, 2 * options.max_videos, options.frames)
        say(catalogue.cost)
        say(f"pind: topics load.{run}.*, database pind_load_{run}, every process on a free port")
        async with own_database(run) as urls:
            result = await pind_run.run_round(options, run, catalogue, log_dir, bootstrap, urls)
            baseline = None
            if options.celery:
                say(
                    f"baseline: Celery chain on redis-server, {options.celery_workers} prefork "
                    "workers running the services' domain code on the same fakes; a job is a "
                    "row in celery_load.jobs plus its chain, queued by the load tool itself "
                    "(no HTTP front, no outbox, no projection)"
                )
                baseline = await celery_run.run_round(options, run, catalogue, log_dir, urls)
    pind = report.throughput("pind", result.ledger)
    rows = [report.HEADER, pind.line()]
    celery = report.throughput("celery", baseline.ledger) if baseline else None
    if celery is not None:
        rows.append(celery.line())
    say("")
    say(report.block("end to end (submit -> succeeded)", rows))
    if celery is not None and celery.per_s > 0:
        say(f"ratio pind/celery (succeeded jobs/s): {pind.per_s / celery.per_s:.2f}")
    if result.ledger.retried:
        say(f"pind submissions sent again after a 503 with Retry-After: {result.ledger.retried}")
    usage = report.usage_table(result.cpu_s, result.peak_rss, result.seconds)
    say("")
    say(report.block("pind process trees (CPU over the measured window)", [usage]))
    if result.transactions is not None:
        say(result.transactions.line())
    if baseline is not None:
        usage = report.usage_table(baseline.cpu_s, baseline.peak_rss, baseline.seconds)
        say("")
        title = "celery process trees (RSS: pages the forks share count in each)"
        say(report.block(title, [usage]))
    say("")
    say(report.block("pind consumer lag", [report.lag_table(result.lag)]))
    say(f"machine load average at end: {os.getloadavg()[0]:.2f}")
    if pind.succeeded == 0 or (celery is not None and celery.succeeded == 0):
        say("load: a system finished no job")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse())))
