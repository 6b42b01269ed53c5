"""``make load``'s quick mode (``PIND_LOAD_QUICK=1``, what ``make smoke`` runs):
both systems finish jobs and every figure is printed, in the run's own topic
namespace and database, which are gone afterwards."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys

from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import NullPool, text
from sqlalchemy.ext.asyncio import create_async_engine

from pind_kit.testing import REPO_ROOT, database_url, run_env


async def _leftovers(run: str) -> tuple[list[str], list[str]]:
    bootstrap = run_env().get("PIND_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if t.startswith(f"load.{run}.")]
    finally:
        await admin.close()
    engine = create_async_engine(database_url("admin"), poolclass=NullPool)
    try:
        async with engine.connect() as db:
            rows = await db.execute(
                text("SELECT datname FROM pg_database WHERE datname = :name"),
                {"name": f"pind_load_{run}"},
            )
            databases = [str(r[0]) for r in rows]
    finally:
        await engine.dispose()
    return topics, databases


def test_quick_load_run_prints_its_figures_and_leaves_nothing_behind() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--guests", "3", "--users", "1"],
        cwd=REPO_ROOT,
        env={**os.environ, "PIND_LOAD_QUICK": "1"},
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, f"{out}\n{done.stderr[-4000:]}"
    run = re.search(r"pind load run (\w+):", out)
    assert run, out
    for system in ("pind", "celery"):
        row = re.search(rf"^{system}\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+[\d.]+\s+([\d.]+)", out, re.M)
        assert row, f"no {system} row in:\n{out}"
        jobs, ok, failed, per_s = int(row[1]), int(row[2]), int(row[3]), float(row[4])
        assert ok > 0 and failed == 0 and per_s > 0, row[0]
        assert jobs >= ok
    assert re.search(r"ratio pind/celery \(succeeded jobs/s\): \d+\.\d\d", out)
    for process in ("gateway", "geo", "fakes", "redis", "celery"):
        assert re.search(rf"^{process}\s+[\d.]+\s+[\d.]+\s+\d+$", out, re.M), process
    database = re.search(
        r"^database: ([\d,]+) transactions and ([\d,]+) connections opened "
        r"for ([\d,]+) jobs",
        out,
        re.M,
    )
    assert database, out
    transactions, jobs_made = (int(database[i].replace(",", "")) for i in (1, 3))
    assert jobs_made > 0 and transactions > jobs_made  # every job is several transactions
    if (REPO_ROOT / ".run" / "pids" / "postgres.pid").exists():  # local infrastructure
        for shared in ("kafka", "postgres"):
            assert re.search(rf"^{shared} \(shared\)\s+[\d.]+\s+[\d.]+\s+\d+$", out, re.M)
    assert re.search(r"^pind-ingest <- video\.requested\s", out, re.M), out
    assert asyncio.run(_leftovers(run[1])) == ([], [])
