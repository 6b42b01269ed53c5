"""The geocode cache table (schema geo, migration 0002): answers kept per
geocoder and question until their TTL, misses too, upserted on refresh."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_geo import repository
from pind_geo.__main__ import MIGRATIONS_DIR
from pind_geo.adapters.geocode_cache import CachedGeocoder, PostgresCacheStore
from pind_geo.domain.model import GeocodeQuery, GeocodeResult
from pind_geo.settings import GeoSettings
from pind_kit.db import make_engine, make_sessionmaker
from pind_kit.migrations import upgrade
from pind_kit.testing import database_url


@pytest.fixture(scope="module")
async def sessionmaker() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    settings = GeoSettings(database_url=database_url("geo"))
    await asyncio.to_thread(upgrade, settings, MIGRATIONS_DIR)
    engine = make_engine(settings)
    yield make_sessionmaker(engine)
    await engine.dispose()


class CountingGeocoder:
    name = "counting"
    online = True

    def __init__(self, results: list[GeocodeResult]) -> None:
        self.results = results
        self.calls = 0

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        self.calls += 1
        return self.results


RESULT = GeocodeResult("kakao:1", "광장시장", "market", 37.57, 127.0, 1.0, "counting")


async def test_answers_are_cached_in_postgres(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    inner = CountingGeocoder([RESULT])
    cached = CachedGeocoder(inner, PostgresCacheStore(sessionmaker))
    query = GeocodeQuery(f"광장시장 {uuid.uuid4().hex[:6]}", "ko", near=(37.57, 127.0))
    assert await cached.geocode(query) == [RESULT]
    assert await cached.geocode(query) == [RESULT]
    assert inner.calls == 1
    # Another proximity point is another question.
    await cached.geocode(GeocodeQuery(query.text, "ko", near=(35.1, 129.0)))
    assert inner.calls == 2


async def test_expired_answers_are_asked_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    inner = CountingGeocoder([])
    cached = CachedGeocoder(inner, PostgresCacheStore(sessionmaker), miss_ttl=timedelta(seconds=-1))
    query = GeocodeQuery(f"없는곳 {uuid.uuid4().hex[:6]}", "ko")
    await cached.geocode(query)
    await cached.geocode(query)
    assert inner.calls == 2
    async with sessionmaker() as session, session.begin():
        assert await repository.purge_expired_answers(session) >= 1
