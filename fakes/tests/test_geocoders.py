"""The fake geocoders' request rules and response shapes, through httpx."""

from __future__ import annotations

import httpx
import pytest

from pind_fakes import geocoders
from pind_fakes.gazetteer import haversine_m
from pind_fakes.serving import serve
from pind_fakes.settings import FakesSettings

GWANGJANG = (37.57011477, 126.9997057)
KAKAO = {"Authorization": "KakaoAK test-key"}
AGENT = {"User-Agent": "pind-tests/1.0 (pind@example.org)"}


@pytest.fixture
async def http(geocoders_url: str):
    async with httpx.AsyncClient(base_url=geocoders_url, timeout=10) as client:
        yield client


# ------------------------------------------------------------------ Kakao Local


async def test_kakao_requires_its_authorization_header(http: httpx.AsyncClient) -> None:
    url = "/v2/local/search/keyword.json"
    missing = await http.get(url, params={"query": "광장시장"})
    assert missing.status_code == 401
    assert missing.json()["errorType"] == "AccessDeniedError"
    wrong = await http.get(url, params={"query": "광장시장"}, headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    no_query = await http.get(url, headers=KAKAO)
    assert no_query.status_code == 400


async def test_kakao_keyword_document_shape(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/v2/local/search/keyword.json", params={"query": "광장시장"}, headers=KAKAO
    )
    assert response.status_code == 200
    body = response.json()
    top = body["documents"][0]
    assert top["place_name"] == "광장시장"
    assert isinstance(top["x"], str) and isinstance(top["y"], str)
    assert (float(top["y"]), float(top["x"])) == GWANGJANG  # x is the longitude
    assert top["address_name"].startswith("서울특별시 종로구")
    assert top["place_url"] == f"http://place.map.kakao.com/{top['id']}"
    assert top["distance"] == ""
    assert body["meta"]["total_count"] == len(body["documents"])
    assert body["meta"]["same_name"]["keyword"] == "광장시장"


async def test_kakao_radius_and_distance_sort(http: httpx.AsyncClient) -> None:
    params = {
        "query": "시장",
        "x": str(GWANGJANG[1]),
        "y": str(GWANGJANG[0]),
        "radius": "1500",
        "sort": "distance",
        "size": "15",
    }
    body = (await http.get("/v2/local/search/keyword.json", params=params, headers=KAKAO)).json()
    distances = [int(d["distance"]) for d in body["documents"]]
    assert body["documents"][0]["place_name"] == "광장시장" and distances[0] == 0
    assert distances == sorted(distances) and distances[-1] <= 1500
    assert len(distances) > 1
    too_big = await http.get(
        "/v2/local/search/keyword.json", params={"query": "시장", "size": "16"}, headers=KAKAO
    )
    assert too_big.status_code == 400


async def test_kakao_stations_carry_their_line(http: httpx.AsyncClient) -> None:
    body = (
        await http.get("/v2/local/search/keyword.json", params={"query": "서울역"}, headers=KAKAO)
    ).json()
    names = [d["place_name"] for d in body["documents"]]
    assert set(names[:2]) == {"서울역 수도권1호선", "서울역 수도권4호선"}
    assert body["documents"][0]["category_group_code"] == "SW8"


# ---------------------------------------------------------------- Google Places


async def test_google_requires_key_and_field_mask(http: httpx.AsyncClient) -> None:
    body = {"textQuery": "망원시장"}
    no_key = await http.post("/v1/places:searchText", json=body)
    assert no_key.status_code == 403
    assert no_key.json()["error"]["status"] == "PERMISSION_DENIED"
    no_mask = await http.post("/v1/places:searchText", json=body, headers={"X-Goog-Api-Key": "k"})
    assert no_mask.status_code == 400
    assert "FieldMask is a required parameter" in no_mask.json()["error"]["message"]
    bad_mask = await http.post(
        "/v1/places:searchText",
        json=body,
        headers={"X-Goog-Api-Key": "k", "X-Goog-FieldMask": "places.bogus"},
    )
    assert bad_mask.status_code == 400


async def test_google_applies_the_field_mask(http: httpx.AsyncClient) -> None:
    headers = {"X-Goog-Api-Key": "k", "X-Goog-FieldMask": "places.displayName,places.location"}
    body = (
        await http.post("/v1/places:searchText", json={"textQuery": "망원시장"}, headers=headers)
    ).json()
    first = body["places"][0]
    assert set(first) == {"displayName", "location"}
    assert first["displayName"] == {"text": "망원시장", "languageCode": "ko"}
    assert first["location"] == {"latitude": 37.55715706, "longitude": 126.9059961}


async def test_google_english_query_and_all_fields(http: httpx.AsyncClient) -> None:
    headers = {"X-Goog-Api-Key": "k", "X-Goog-FieldMask": "*"}
    request = {"textQuery": "Haeundae Beach", "languageCode": "en", "pageSize": 1}
    body = (await http.post("/v1/places:searchText", json=request, headers=headers)).json()
    (place,) = body["places"]
    assert place["displayName"] == {"text": "Haeundae Beach", "languageCode": "en"}
    assert place["id"].startswith("ChIJ") and place["name"] == f"places/{place['id']}"
    assert "tourist_attraction" in place["types"]
    assert place["formattedAddress"].startswith("대한민국 부산광역시 해운대구")
    empty = await http.post(
        "/v1/places:searchText", json={"textQuery": "no such place xyz"}, headers=headers
    )
    assert empty.json() == {}


# -------------------------------------------------------------------- Nominatim


async def test_nominatim_wants_a_real_user_agent(http: httpx.AsyncClient) -> None:
    # httpx's own "python-httpx/x.y" counts as no identification.
    stock = await http.get("/search", params={"q": "국제시장", "format": "jsonv2"})
    assert stock.status_code == 403


async def test_nominatim_jsonv2_shape_then_rate_limit(http: httpx.AsyncClient) -> None:
    headers = {"User-Agent": "pind-tests/1.0 (rate-limit test)"}
    first = await http.get("/search", params={"q": "국제시장", "format": "jsonv2"}, headers=headers)
    assert first.status_code == 200
    top = first.json()[0]
    assert (top["name"], top["category"], top["type"]) == ("국제시장", "amenity", "marketplace")
    assert isinstance(top["lat"], str) and isinstance(top["lon"], str)
    assert haversine_m(float(top["lat"]), float(top["lon"]), 35.10153726, 129.0280722) < 1
    assert top["display_name"].startswith("국제시장, ") and top["display_name"].endswith("대한민국")
    assert 0 < top["importance"] <= 1
    second = await http.get(
        "/search", params={"q": "국제시장", "format": "jsonv2"}, headers=headers
    )
    assert second.status_code == 429


async def test_nominatim_allows_the_next_second(gazetteer_settings: FakesSettings) -> None:
    now = [100.0]
    app = geocoders.create_app(gazetteer_settings, clock=lambda: now[0])
    async with serve(app) as url, httpx.AsyncClient(base_url=url, headers=AGENT) as http:
        params = {"q": "Seoul Station", "format": "json", "accept-language": "en"}
        first = await http.get("/search", params=params)
        now[0] += 0.5
        assert (await http.get("/search", params=params)).status_code == 429
        now[0] += 0.6
        third = await http.get("/search", params=params)
    assert first.status_code == 200 and third.status_code == 200
    top = first.json()[0]
    assert top["class"] == "railway" and "category" not in top  # format=json says "class"
    assert top["name"] == "Seoul Station" and top["display_name"].endswith("South Korea")
