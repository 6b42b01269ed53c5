"""The fuzz run's own auth and gateway processes, its topics, and the example
data it submits before fuzzing (the sample vlogs)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from benchmarks.gateway_processes import service_process
from pind_gateway.projection.service import end_unstarted_analyses

TOPIC_PREFIX = "fuzz."
UNLIMITED = "1000000"  # far past what one run sends
ROOT = Path(__file__).resolve().parents[2]
SAMPLES_DIR = ROOT / "samples" / "vlogs"


def service(name: str, env: dict[str, str], log_dir: Path) -> AbstractAsyncContextManager[str]:
    """Run ``python -m pind_<name>`` on a free port under the ``fuzz.`` topics;
    yields its base URL; stops it."""
    return service_process(name, env, log_dir / f"fuzz-{name}.log", topic_prefix=TOPIC_PREFIX)


async def ensure_fuzz_topics(bootstrap: str) -> None:
    from pind_kit.topics import ensure_topics

    await ensure_topics(bootstrap, prefix=TOPIC_PREFIX)


def sample_video_ids(samples_dir: Path = SAMPLES_DIR) -> list[str]:
    ids = sorted(p.name for p in samples_dir.iterdir() if (p / "info.json").is_file())
    if not ids:
        raise RuntimeError(f"no sample vlogs in {samples_dir} (samples/vlogs/<id>/info.json)")
    return ids


async def end_fuzz_analyses(database_url: str, video_ids: Sequence[str]) -> None:
    """The fuzz gateway's analyses went to ``fuzz.`` topics no worker reads: end
    them, or the next `make demo` or test asking for a sample video would join
    one and wait until it went stale."""
    engine = create_async_engine(database_url)
    try:
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(text("SET LOCAL search_path TO gateway"))
            ended = await end_unstarted_analyses(
                session, video_ids, "a make fuzz run asked for it; nothing analyses fuzz topics"
            )
        sys.stdout.write(f"ended {len(ended)} analyses the fuzz gateway started\n")
    finally:
        await engine.dispose()


async def submit_samples(gateway_url: str, video_ids: Iterable[str]) -> list[str]:
    """Submit every sample vlog once; the job ids answered (new or existing)."""
    job_ids = []
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as http:
        for video_id in video_ids:
            url = f"https://www.youtube.com/watch?v={video_id}"
            answer = await http.post("/api/v1/videos", json={"url": url})
            if answer.status_code not in (200, 202):
                raise RuntimeError(
                    f"submitting {url} to the fuzz gateway answered {answer.status_code}: "
                    f"{answer.text[:300]}"
                )
            job_ids.append(str(answer.json()["job_id"]))
    return job_ids
