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
    assert top["address_name"].startswith("서울 종로구")  # Kakao writes provinces short
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


# ------------------------------------------------- venues: Kakao keyword and address


def _kakao(http: httpx.AsyncClient, path: str, **params: str):  # type: ignore[no-untyped-def]
    return http.get(f"/v2/local/search/{path}.json", params=params, headers=KAKAO)


async def test_kakao_answers_every_branch_of_a_shared_name(http: httpx.AsyncClient) -> None:
    body = (await _kakao(http, "keyword", query="진주집")).json()
    documents = body["documents"]
    assert body["meta"]["total_count"] == len(documents) >= 9
    same = [d for d in documents if d["place_name"] == "진주집"]
    assert len(same) == 9 and {d["category_group_code"] for d in same} == {"FD6"}
    top = same[0]
    assert top["category_name"].startswith("음식점 > 한식")
    assert top["category_group_name"] == "음식점"
    assert top["road_address_name"].startswith("부산 ") and top["address_name"].startswith("부산 ")
    assert set(top) == {
        "id", "place_name", "category_name", "category_group_code", "category_group_name",
        "phone", "address_name", "road_address_name", "x", "y", "place_url", "distance",
    }  # fmt: skip
    assert top["place_url"] == f"http://place.map.kakao.com/{top['id']}"


async def test_kakao_accuracy_is_not_distance(http: httpx.AsyncClient) -> None:
    # Near one 진주집: sorted by accuracy the branches keep the service's own
    # order; sorted by distance the nearest comes first.
    nampo = {"x": "129.035432", "y": "35.100591"}
    accuracy = (await _kakao(http, "keyword", query="진주집", **nampo)).json()["documents"]
    by_distance = (await _kakao(http, "keyword", query="진주집", sort="distance", **nampo)).json()[
        "documents"
    ]
    distances = [int(d["distance"]) for d in by_distance]
    assert distances == sorted(distances)
    assert [int(d["distance"]) for d in accuracy] != distances
    assert {d["id"] for d in accuracy} == {d["id"] for d in by_distance}


async def test_kakao_region_in_the_query_is_same_name(http: httpx.AsyncClient) -> None:
    body = (await _kakao(http, "keyword", query="금정구 진주집")).json()
    same_name = body["meta"]["same_name"]
    assert same_name == {
        "keyword": "진주집",
        "region": ["부산광역시 금정구"],
        "selected_region": "부산광역시 금정구",
    }
    assert len(body["documents"]) == 3
    assert all(d["address_name"].startswith("부산 금정구") for d in body["documents"])


async def test_kakao_category_group_paging_and_rect(http: httpx.AsyncClient) -> None:
    cafes = (await _kakao(http, "keyword", query="스타벅스", category_group_code="CE7")).json()
    meta = cafes["meta"]
    assert meta["total_count"] > 661 and meta["pageable_count"] == 45 and not meta["is_end"]
    assert {d["category_group_code"] for d in cafes["documents"]} == {"CE7"}
    assert len(cafes["documents"]) == 15
    last = (await _kakao(http, "keyword", query="스타벅스", page="3")).json()
    assert last["meta"]["is_end"] and len(last["documents"]) == 15
    restaurants = (
        await _kakao(http, "keyword", query="스타벅스", category_group_code="FD6")
    ).json()
    assert restaurants["documents"] == []
    # 종로구 around 동숭로: a rectangle, longitude first.
    boxed = (
        await _kakao(http, "keyword", query="스타벅스", rect="126.99,37.57,127.01,37.59")
    ).json()["documents"]
    assert boxed and all(
        126.99 <= float(d["x"]) <= 127.01 and 37.57 <= float(d["y"]) <= 37.59 for d in boxed
    )
    branch = (await _kakao(http, "keyword", query="스타벅스 동숭로아트점")).json()["documents"]
    assert branch[0]["place_name"] == "스타벅스 동숭로아트점"
    assert (await _kakao(http, "keyword", query="진주집", sort="nearest")).status_code == 400
    assert (await _kakao(http, "keyword", query="진주집", rect="1,2,3")).status_code == 400


async def test_kakao_keyword_finds_landmarks(http: httpx.AsyncClient) -> None:
    documents = (await _kakao(http, "keyword", query="경복궁")).json()["documents"]
    palace = documents[0]
    assert palace["category_group_code"] == "AT4" and palace["category_name"] == "여행 > 관광,명소"
    assert palace["road_address_name"] == "서울 종로구 사직로 161"
    # The four barbecue restaurants of the name come too, after it.
    named = [d for d in documents if d["place_name"] == "경복궁"]
    assert [d["category_group_code"] for d in named] == ["AT4", "FD6", "FD6", "FD6", "FD6"]


async def test_kakao_address_search(http: httpx.AsyncClient) -> None:
    response = await _kakao(http, "address", query="부산 금정구 서부로16번길 26-1")
    body = response.json()
    assert body["meta"] == {"is_end": True, "pageable_count": 1, "total_count": 1}
    document = body["documents"][0]
    assert document["address_type"] == "ROAD_ADDR"
    assert document["address_name"] == "부산 금정구 서부로16번길 26-1"
    road = document["road_address"]
    assert (road["road_name"], road["main_building_no"], road["sub_building_no"]) == (
        "서부로16번길",
        "26",
        "1",
    )
    assert road["region_1depth_name"] == "부산" and road["region_2depth_name"] == "금정구"
    assert document["address"]["region_3depth_h_name"] == "서3동"
    assert isinstance(document["x"], str) and 129.0 < float(document["x"]) < 129.2
    region = (await _kakao(http, "address", query="부산 금정구")).json()["documents"]
    assert [d["address_type"] for d in region] == ["REGION"]
    assert region[0]["road_address"] is None and region[0]["address_name"] == "부산 금정구"
    nothing = (await _kakao(http, "address", query="없는로 999")).json()
    assert nothing["documents"] == [] and nothing["meta"]["total_count"] == 0
    assert (await _kakao(http, "address", query="부산", size="31")).status_code == 400
    assert (
        await http.get("/v2/local/search/address.json", params={"query": "x"})
    ).status_code == 401


# ----------------------------------------------------------- venues: Google Places


def _google(http: httpx.AsyncClient, body: dict[str, object], mask: str = "*"):  # type: ignore[no-untyped-def]
    return http.post(
        "/v1/places:searchText",
        json=body,
        headers={"X-Goog-Api-Key": "g", "X-Goog-FieldMask": mask},
    )


async def test_google_answers_branches_nationwide_biased_not_restricted(
    http: httpx.AsyncClient,
) -> None:
    jongno = {"latitude": 37.5830, "longitude": 127.0039}
    bias = {"circle": {"center": jongno, "radius": 2000.0}}
    body = (await _google(http, {"textQuery": "스타벅스", "locationBias": bias})).json()
    places = body["places"]
    assert len(places) == 20 and "nextPageToken" in body
    first = places[0]
    assert haversine_m(jongno["latitude"], jongno["longitude"], **_latlon(first)) < 300
    assert "cafe" in first["types"] and first["displayName"]["languageCode"] == "ko"
    # A bias is not a restriction: the next page reaches farther.
    more = (
        await _google(
            http,
            {"textQuery": "스타벅스", "locationBias": bias, "pageToken": body["nextPageToken"]},
        )
    ).json()["places"]
    assert {p["id"] for p in more}.isdisjoint({p["id"] for p in places})
    far = max(haversine_m(jongno["latitude"], jongno["longitude"], **_latlon(p)) for p in more)
    assert far > 2000
    restricted = {"rectangle": {"low": {"latitude": 37.57, "longitude": 126.99},
                                "high": {"latitude": 37.59, "longitude": 127.01}}}  # fmt: skip
    inside = (
        await _google(http, {"textQuery": "스타벅스", "locationRestriction": restricted})
    ).json()["places"]
    assert inside and all(37.57 <= p["location"]["latitude"] <= 37.59 for p in inside)


def _latlon(place: dict[str, dict[str, float]]) -> dict[str, float]:
    return {"lat2": place["location"]["latitude"], "lon2": place["location"]["longitude"]}


async def test_google_shapes_and_mask_for_venues(http: httpx.AsyncClient) -> None:
    mask = "places.displayName,places.formattedAddress,places.location,places.types,nextPageToken"
    body = (await _google(http, {"textQuery": "진주집", "pageSize": 5}, mask)).json()
    assert len(body["places"]) == 5 and "nextPageToken" in body
    place = body["places"][0]
    assert set(place) == {"displayName", "formattedAddress", "location", "types"}
    assert place["displayName"]["text"] == "진주집"
    assert place["formattedAddress"].startswith("대한민국 부산광역시 ")
    assert "korean_restaurant" in place["types"] and "restaurant" in place["types"]
    english = (
        await _google(http, {"textQuery": "Starbucks", "languageCode": "en", "pageSize": 3})
    ).json()["places"]
    assert english and english[0]["displayName"]["text"].startswith("Starbucks")
    bad = await _google(http, {"textQuery": "진주집", "pageToken": "nonsense"})
    assert bad.status_code == 400
