"""What the online geocoder adapters share: a request pacer, name scoring,
HTTP error mapping."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from rapidfuzz import fuzz

from pind_geo.domain.text import match_key
from pind_geo.errors import GeocoderError


class Pacer:
    """At most one request per ``interval_s`` (Nominatim: 1 s; others by quota),
    counted from the end of one request to the start of the next, so that the
    server sees the gap whatever the network adds. Callers take turns."""

    def __init__(self, interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval_s
        self._clock = clock
        self._next = 0.0
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if self._interval <= 0:
            yield
            return
        async with self._lock:
            delay = self._next - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                yield
            finally:
                self._next = self._clock() + self._interval


def name_score(query: str, name: str) -> float:
    """How well a returned name matches what was asked, 0..1 ('서울역 1호선'
    answers '서울역' fully: the first word is compared too)."""
    asked = match_key(query)
    if not asked:
        return 0.0
    whole = match_key(name)
    first = match_key(name.split()[0]) if name.split() else whole
    best = max(fuzz.ratio(asked, whole), fuzz.ratio(asked, first))
    if asked and (whole.startswith(asked) or asked.startswith(whole)):
        best = max(best, 85.0)
    return round(best / 100, 3)


def raise_for_status(geocoder: str, response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    retryable = response.status_code == 429 or response.status_code >= 500
    raise GeocoderError(
        geocoder, f"HTTP {response.status_code}: {response.text[:200]}", retryable=retryable
    )


async def send(geocoder: str, client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """Send ``request``; transport failures and timeouts become ``GeocoderError``."""
    try:
        response = await client.send(request)
    except httpx.TimeoutException as exc:
        raise GeocoderError(geocoder, "timed out") from exc
    except httpx.HTTPError as exc:
        raise GeocoderError(geocoder, f"{type(exc).__name__}: {exc}") from exc
    raise_for_status(geocoder, response)
    return response
