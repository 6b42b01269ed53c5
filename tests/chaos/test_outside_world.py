"""The outside world slow or failing: Kakao (an online geocoder) and Gemini
behind a fault proxy, on the whole system.

For these scenarios geo is restarted with Kakao first in its geocoder chain
(``kakao,gazetteer,geonames,venues``) and Gemini reading place names, both
reached through :class:`FaultProxy` in front of the in-process fakes. What
the design promises (``pind_geo.adapters.chain``, ``pind_geo.adapters.gemini``):
a geocoder that fails or times out is skipped and the next one in the chain
answers; a Gemini that fails or stalls leaves the offline extractors' places.
So every job still ends ``succeeded`` with its places, none of them Kakao's
when Kakao failed; nothing reaches a dead-letter topic (an outside service's
failure is no poison event); the projection holds no duplicate places.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from pind_kit.testing import run_env
from tests.chaos.fault_proxy import FaultProxy
from tests.chaos.test_scenarios import (
    assert_succeeded_without_duplicates,
    dead_letters,
    finished,
    gained,
    submit,
)
from tests.e2e.stack import Stack, restart, stop

GEOCODER_TIMEOUT_S = 2.0
GEMINI_TIMEOUT_S = 4.0
VIDEO = "pindHongdae"


@dataclass
class OutsideWorld:
    stack: Stack
    geocoders: FaultProxy
    gemini: FaultProxy


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in this process's environment, which the stack hands to the
    services it (re)starts (``tests.e2e.stack.service_env``)."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
async def outside_world(stack: Stack) -> AsyncIterator[OutsideWorld]:
    """geo asking Kakao and Gemini through fault proxies; the stack's own geo after."""
    geocoders = FaultProxy(stack.fakes["geocoders"])
    gemini = FaultProxy(stack.fakes["gemini"])
    async with geocoders.running() as geocoders_url, gemini.running() as gemini_url:
        settings = {
            "PIND_GEOCODERS": "kakao,gazetteer,geonames,venues",
            "PIND_KAKAO_API_KEY": "chaos-kakao-key",
            "PIND_KAKAO_BASE_URL": geocoders_url,
            "PIND_KAKAO_MIN_INTERVAL_S": "0",
            "PIND_GEOCODER_TIMEOUT_S": str(GEOCODER_TIMEOUT_S),
            "PIND_GEMINI_API_KEY": "chaos-gemini-key",
            "PIND_GEMINI_BASE_URL": gemini_url,
            "PIND_GEMINI_TIMEOUT_S": str(GEMINI_TIMEOUT_S),
        }
        stop(stack.processes["geo"])
        try:
            with _environment(settings):
                await restart(stack, "geo")
            yield OutsideWorld(stack, geocoders, gemini)
        finally:
            stop(stack.processes["geo"])
            await restart(stack, "geo")


async def _forget_kakao_answers() -> None:
    """Kakao's cached answers (schema geo) would spare geo from asking it."""
    url = run_env()["PIND_GEO_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DELETE FROM geo.geocode_cache WHERE geocoder = 'kakao'")
    finally:
        await connection.close()


async def _one_job(world: OutsideWorld, within_s: float = 300) -> dict[str, Any]:
    """One analysis of the sample vlog, final; the DLT gained nothing meanwhile."""
    await _forget_kakao_answers()
    before = await dead_letters(world.stack.topic_prefix)
    async with httpx.AsyncClient(timeout=10) as client:
        jobs = await finished(
            client, world.stack, [await submit(client, world.stack, VIDEO)], within_s
        )
    assert_succeeded_without_duplicates(jobs, world.stack)
    assert gained(before, await dead_letters(world.stack.topic_prefix)) == {}
    return jobs[0]


def _geocoders_of(job: dict[str, Any]) -> set[str]:
    return {place["geocoder"] for place in job["places"]}


# -- fast: in `make test` -----------------------------------------------------------


async def test_a_failing_geocoder_and_gemini_leave_the_offline_places(
    outside_world: OutsideWorld,
) -> None:
    """Kakao and Gemini answer 503: the job succeeds with the places of the
    geocoders after Kakao in the chain and of the offline extractors."""
    outside_world.geocoders.set(fail_status=503)
    outside_world.gemini.set(fail_status=503)
    job = await _one_job(outside_world)
    assert outside_world.geocoders.counts.failed > 0, "geo never asked Kakao"
    assert outside_world.gemini.counts.failed > 0, "geo never asked Gemini"
    assert "kakao" not in _geocoders_of(job), job["places"]


# -- slow: `make chaos` -------------------------------------------------------------


@pytest.mark.outage
async def test_a_slow_geocoder_and_gemini_within_their_timeouts_still_answer(
    outside_world: OutsideWorld,
) -> None:
    """Every Kakao answer a quarter of its timeout late, Gemini's half: the
    job succeeds and Kakao, first in the chain, places what it knows."""
    outside_world.geocoders.set(delay_s=GEOCODER_TIMEOUT_S / 4)
    outside_world.gemini.set(delay_s=GEMINI_TIMEOUT_S / 2)
    job = await _one_job(outside_world)
    assert outside_world.geocoders.counts.passed > 0, "geo never asked Kakao"
    assert outside_world.gemini.counts.passed > 0, "geo never asked Gemini"
    assert outside_world.geocoders.counts.failed == outside_world.gemini.counts.failed == 0
    assert "kakao" in _geocoders_of(job), job["places"]


@pytest.mark.outage
async def test_a_geocoder_and_gemini_stalling_past_their_timeouts_are_given_up(
    outside_world: OutsideWorld,
) -> None:
    """Kakao and Gemini answer only after geo's timeouts: geo gives up on each
    and the job succeeds with the offline places."""
    outside_world.geocoders.set(delay_s=GEOCODER_TIMEOUT_S * 2)
    outside_world.gemini.set(delay_s=GEMINI_TIMEOUT_S * 2)
    job = await _one_job(outside_world)
    assert outside_world.geocoders.counts.asked > 0, "geo never asked Kakao"
    assert outside_world.gemini.counts.asked > 0, "geo never asked Gemini"
    assert "kakao" not in _geocoders_of(job), job["places"]


@pytest.mark.outage
async def test_a_rate_limited_geocoder_and_gemini_leave_the_offline_places(
    outside_world: OutsideWorld,
) -> None:
    """Kakao and Gemini answer 429 (quota spent): as with a 503."""
    outside_world.geocoders.set(fail_status=429)
    outside_world.gemini.set(fail_status=429)
    job = await _one_job(outside_world)
    assert outside_world.geocoders.counts.failed > 0
    assert outside_world.gemini.counts.failed > 0
    assert "kakao" not in _geocoders_of(job), job["places"]
