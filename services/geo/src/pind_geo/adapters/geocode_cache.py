"""A cache in front of an online geocoder: each distinct question is asked
once per TTL (answers without places for a shorter TTL). Stores: schema geo's
``geocode_cache`` table for the worker, memory for batch runs and tests."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_geo import repository
from pind_geo.adapters.metrics import GEOCODE_CACHE
from pind_geo.domain.model import AdminArea, GeocodeQuery, GeocodeResult
from pind_geo.domain.resolution import Geocoder


class CacheStore(Protocol):
    async def get(self, geocoder: str, key: str) -> list[dict[str, Any]] | None: ...

    async def put(
        self, geocoder: str, key: str, results: list[dict[str, Any]], ttl: timedelta
    ) -> None: ...


class MemoryCacheStore:
    def __init__(self) -> None:
        self._items: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}

    async def get(self, geocoder: str, key: str) -> list[dict[str, Any]] | None:
        item = self._items.get((geocoder, key))
        if item is None or item[0] <= time.monotonic():
            return None
        return item[1]

    async def put(
        self, geocoder: str, key: str, results: list[dict[str, Any]], ttl: timedelta
    ) -> None:
        self._items[(geocoder, key)] = (time.monotonic() + ttl.total_seconds(), results)


class PostgresCacheStore:
    """The ``geo.geocode_cache`` table; one short transaction per call."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def get(self, geocoder: str, key: str) -> list[dict[str, Any]] | None:
        async with self._sessionmaker() as session:
            return await repository.cached_answer(session, geocoder, key)

    async def put(
        self, geocoder: str, key: str, results: list[dict[str, Any]], ttl: timedelta
    ) -> None:
        async with self._sessionmaker() as session, session.begin():
            await repository.cache_answer(session, geocoder, key, results, ttl)


def query_key(query: GeocodeQuery) -> str:
    """What makes two questions the same: text, script, region, and the
    proximity point to about a kilometre."""
    near = f"{query.near[0]:.2f},{query.near[1]:.2f}" if query.near else "-"
    return f"{query.script}|{query.region or '-'}|{near}|{query.text.strip()}"


class CachedGeocoder:
    online = True

    def __init__(
        self,
        inner: Geocoder,
        store: CacheStore,
        *,
        ttl: timedelta = timedelta(days=30),
        miss_ttl: timedelta = timedelta(days=1),
    ) -> None:
        self._inner = inner
        self._store = store
        self._ttl = ttl
        self._miss_ttl = miss_ttl

    @property
    def name(self) -> str:
        return self._inner.name

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        key = query_key(query)
        cached = await self._store.get(self.name, key)
        if cached is not None:
            GEOCODE_CACHE.labels(self.name, "hit").inc()
            return [_from_json(item) for item in cached]
        GEOCODE_CACHE.labels(self.name, "miss").inc()
        results = await self._inner.geocode(query)
        await self._store.put(
            self.name,
            key,
            [_to_json(r) for r in results],
            self._ttl if results else self._miss_ttl,
        )
        return results


def _to_json(result: GeocodeResult) -> dict[str, Any]:
    return dataclasses.asdict(result)


def _from_json(item: dict[str, Any]) -> GeocodeResult:
    area = item.get("area") or {}
    return GeocodeResult(**{**item, "area": AdminArea(**area)})
