"""Online geocoder adapters against the fake geocoders (Kakao Local, Google
Places Text Search (New), Nominatim — real request and response shapes, auth
headers), the cache in front of them, and the chain's order."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from prometheus_client import REGISTRY

from pind_fakes import geocoders as fake_geocoders
from pind_fakes.serving import requests_seen, serve
from pind_fakes.settings import FakesSettings
from pind_geo.adapters.chain import GeocoderChain
from pind_geo.adapters.geocode_cache import CachedGeocoder, MemoryCacheStore
from pind_geo.adapters.google_places import FIELD_MASK, GooglePlacesGeocoder
from pind_geo.adapters.http_common import Pacer
from pind_geo.adapters.kakao import KakaoLocalGeocoder
from pind_geo.adapters.nominatim import NominatimGeocoder
from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import GeocodeQuery
from pind_geo.errors import GeocoderError

GWANGJANG = (37.5701, 126.9997)
INTERVAL_S = 0.3
AGENT = "pind-geo-tests/0.1 (tests@pind.example)"


@pytest.fixture(scope="module")
def fake_app() -> web.Application:
    return fake_geocoders.create_app(FakesSettings(nominatim_min_interval_s=INTERVAL_S))


@pytest.fixture
async def base_url(fake_app: web.Application) -> AsyncIterator[str]:
    async with serve(fake_app) as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as http:
        yield http


def query(text: str, near: tuple[float, float] | None = None) -> GeocodeQuery:
    return GeocodeQuery(text=text, script="ko", near=near)


def near_gwangjang(lat: float, lon: float) -> bool:
    return distance_m(lat, lon, *GWANGJANG) < 300


async def test_kakao_finds_a_market_with_its_key(
    base_url: str, client: httpx.AsyncClient, fake_app: web.Application
) -> None:
    kakao = KakaoLocalGeocoder(client, "test-key", base_url=base_url)
    results = await kakao.geocode(query("광장시장", near=GWANGJANG))
    best = max(results, key=lambda r: r.score)
    assert best.name == "광장시장" and best.category == "market" and best.geocoder == "kakao"
    assert near_gwangjang(best.lat, best.lon)  # x is longitude, y latitude
    assert best.area.province == "서울"
    sent = [r for r in requests_seen(fake_app) if r.path_qs.startswith("/v2/local")][-1]
    assert sent.headers["Authorization"] == "KakaoAK test-key"
    assert "x=126.99" in sent.path_qs and "y=37.57" in sent.path_qs  # proximity carried


async def test_kakao_needs_a_key(base_url: str, client: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError, match="key"):
        KakaoLocalGeocoder(client, " ", base_url=base_url)


async def test_google_places_text_search(
    base_url: str, client: httpx.AsyncClient, fake_app: web.Application
) -> None:
    google = GooglePlacesGeocoder(client, "g-key", base_url=base_url)
    results = await google.geocode(query("광장시장", near=GWANGJANG))
    assert results and results[0].name == "광장시장" and results[0].category == "market"
    assert near_gwangjang(results[0].lat, results[0].lon)
    sent = [r for r in requests_seen(fake_app) if r.path_qs.startswith("/v1/places")][-1]
    assert sent.headers["X-Goog-Api-Key"] == "g-key"
    assert sent.headers["X-Goog-FieldMask"] == FIELD_MASK


async def test_google_refuses_a_missing_key(base_url: str, client: httpx.AsyncClient) -> None:
    google = GooglePlacesGeocoder(client, "", base_url=base_url)
    with pytest.raises(GeocoderError, match="403"):
        await google.geocode(query("광장시장"))


async def test_nominatim_paces_itself_to_the_usage_policy(
    base_url: str, client: httpx.AsyncClient, fake_app: web.Application
) -> None:
    nominatim = NominatimGeocoder(client, AGENT, base_url=base_url, pacer=Pacer(INTERVAL_S))
    started = time.monotonic()
    first = await nominatim.geocode(query("광장시장"))
    # Back to back: the fake answers 429 to a client faster than its limit.
    second = await nominatim.geocode(query("통인시장"))
    assert time.monotonic() - started >= INTERVAL_S
    assert near_gwangjang(first[0].lat, first[0].lon) and first[0].category == "market"
    assert second and second[0].name == "통인시장"
    sent = [r for r in requests_seen(fake_app) if r.path_qs.startswith("/search")][-1]
    assert sent.headers["User-Agent"] == AGENT
    assert "countrycodes=kr" in sent.path_qs


async def test_nominatim_limit_is_an_error_when_not_paced(
    base_url: str, client: httpx.AsyncClient
) -> None:
    nominatim = NominatimGeocoder(client, AGENT, base_url=base_url, pacer=Pacer(0.0))
    with pytest.raises(GeocoderError, match="429") as raised:
        for name in ("광장시장", "통인시장", "망원시장"):
            await nominatim.geocode(query(name))
    assert raised.value.retryable


async def test_a_timeout_is_a_geocoder_error(base_url: str) -> None:
    async with httpx.AsyncClient(timeout=1e-6) as hasty:
        kakao = KakaoLocalGeocoder(hasty, "k", base_url=base_url)
        with pytest.raises(GeocoderError):
            await kakao.geocode(query("광장시장"))


CALLS = "pind_geocoder_calls_total"
CACHE = "pind_geocode_cache_lookups_total"


def _counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_cache_asks_once(
    base_url: str, client: httpx.AsyncClient, fake_app: web.Application
) -> None:
    cached = CachedGeocoder(KakaoLocalGeocoder(client, "k", base_url=base_url), MemoryCacheStore())
    before = len(requests_seen(fake_app))
    hits = _counted(CACHE, geocoder="kakao", result="hit")
    misses = _counted(CACHE, geocoder="kakao", result="miss")
    first = await cached.geocode(query("망원시장"))
    again = await cached.geocode(query("망원시장"))
    assert first == again and first
    assert len(requests_seen(fake_app)) == before + 1
    # geo's /metrics: one miss (Kakao asked), one hit (Kakao spared).
    assert _counted(CACHE, geocoder="kakao", result="miss") == misses + 1
    assert _counted(CACHE, geocoder="kakao", result="hit") == hits + 1


async def test_chain_skips_a_failing_geocoder(base_url: str, client: httpx.AsyncClient) -> None:
    broken = KakaoLocalGeocoder(client, "k", base_url=base_url + "/nowhere")
    google = GooglePlacesGeocoder(client, "g", base_url=base_url)
    chain = GeocoderChain([broken, google])
    assert chain.has_online
    failed = _counted(CALLS, geocoder="kakao", outcome="failed")
    found = _counted(CALLS, geocoder="google", outcome="found")
    results = await chain.geocode(query("통인시장"))
    assert results and results[0].geocoder == "google"
    assert _counted(CALLS, geocoder="kakao", outcome="failed") == failed + 1
    assert _counted(CALLS, geocoder="google", outcome="found") == found + 1
    # The first, offline pass of resolution asks no online geocoder.
    assert await chain.geocode(GeocodeQuery("통인시장", "ko", offline_only=True)) == []


# Venues, through the adapters pind uses, against the fakes answering from the
# venue index the repository carries.
JUNGANG_JINJU = (35.100591, 129.035432)  # the 진주집 in 부산 중구 중앙동


async def test_kakao_answers_a_shared_name_with_its_branches(
    base_url: str, client: httpx.AsyncClient, fake_app: web.Application
) -> None:
    kakao = KakaoLocalGeocoder(client, "k", base_url=base_url)
    results = await kakao.geocode(query("진주집", near=JUNGANG_JINJU))
    exact = [r for r in results if r.name == "진주집"]
    # Within 20 km of the video's places, every 진주집 answers, none preferred.
    assert len(exact) >= 2 and {r.score for r in exact} == {1.0}
    assert {r.category for r in exact} == {"restaurant"} and {r.area.province for r in exact} == {
        "부산"
    }
    assert any(distance_m(r.lat, r.lon, *JUNGANG_JINJU) < 50 for r in exact)
    sent = [r for r in requests_seen(fake_app) if r.path_qs.startswith("/v2/local")][-1]
    assert "radius=20000" in sent.path_qs


async def test_kakao_and_google_find_a_branch(base_url: str, client: httpx.AsyncClient) -> None:
    art = (37.58296, 127.00389)
    for geocoder in (
        KakaoLocalGeocoder(client, "k", base_url=base_url),
        GooglePlacesGeocoder(client, "g", base_url=base_url),
    ):
        results = await geocoder.geocode(query("스타벅스 동숭로아트점"))
        best = max(results, key=lambda r: r.score)
        assert best.name == "스타벅스 동숭로아트점" and best.category == "cafe", geocoder.name
        assert distance_m(best.lat, best.lon, *art) < 5


async def test_google_answers_branches_nationwide_nearest_first(
    base_url: str, client: httpx.AsyncClient
) -> None:
    google = GooglePlacesGeocoder(client, "g", base_url=base_url, page_size=5)
    results = await google.geocode(query("진주집", near=JUNGANG_JINJU))
    assert len(results) == 5 and {r.name for r in results} == {"진주집"}
    assert distance_m(results[0].lat, results[0].lon, *JUNGANG_JINJU) < 50
    assert max(distance_m(r.lat, r.lon, *JUNGANG_JINJU) for r in results) > 3000
    landmark = await google.geocode(query("경복궁"))
    assert landmark[0].category == "landmark" and landmark[0].name == "경복궁"
