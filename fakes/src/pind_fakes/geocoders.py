"""Fake geocoders (port 8902) answering from the Korean public-data gazetteer
and the venue index (restaurants, cafes, lodging, landmarks) the repository carries.

- Kakao Local keyword search: GET /v2/local/search/keyword.json
  (``Authorization: KakaoAK <key>`` or 401; x = longitude, y = latitude, as
  strings; category_group_code, x/y/radius, rect, sort=accuracy|distance,
  page/size; a region word in the query is recognised as ``meta.same_name``
  and narrows the search to it). Its ranking quirk: sorted by accuracy, every
  same-name branch comes in the service's own order, not by distance.
- Kakao Local address search: GET /v2/local/search/address.json (the road and
  lot addresses of the venue index; a region alone answers its centre).
- Google Places Text Search (New): POST /v1/places:searchText
  (``X-Goog-Api-Key`` or 403; ``X-Goog-FieldMask`` or 400; the mask is
  applied; locationBias biases, locationRestriction restricts; pageSize and
  nextPageToken, 60 results at most). A name answers its branches nationwide,
  the biased-to ones first.
- Nominatim: GET /search?q=&format=jsonv2|json
  (a real User-Agent or 403; more than one request per second per client: 429)
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from pind_fakes.gazetteer import (
    Gazetteer,
    GazetteerPlace,
    PlaceCategory,
    PlaceMatch,
    haversine_m,
    normalise,
)
from pind_fakes.serving import new_app
from pind_fakes.settings import FakesSettings
from pind_fakes.venues import Venue, VenueDirectory, VenueMatch, kakao_address, short_sido


class RateLimiter:
    """At most one request per ``interval_s`` per client key; the clock is injectable."""

    def __init__(self, interval_s: float, clock: Callable[[], float]) -> None:
        self._interval = interval_s
        self._clock = clock
        self._last: dict[str, float] = {}

    def allow(self, client: str) -> bool:
        now = self._clock()
        last = self._last.get(client)
        if last is not None and now - last < self._interval:
            return False
        self._last[client] = now
        return True


GAZETTEER = web.AppKey("gazetteer", Gazetteer)
VENUES = web.AppKey("venues", VenueDirectory)
NOMINATIM_LIMITER = web.AppKey("nominatim_limiter", RateLimiter)


def create_app(
    settings: FakesSettings, clock: Callable[[], float] = time.monotonic
) -> web.Application:
    app = new_app()
    app[GAZETTEER] = Gazetteer.load(settings.gazetteer_dir)
    app[VENUES] = VenueDirectory.load(settings.venues_dir)
    app[NOMINATIM_LIMITER] = RateLimiter(settings.nominatim_min_interval_s, clock)
    app.router.add_get("/v2/local/search/keyword.json", kakao_keyword)
    app.router.add_get("/v2/local/search/address.json", kakao_address_search)
    app.router.add_post("/v1/places:searchText", google_search_text)
    app.router.add_get("/search", nominatim_search)
    app.router.add_get("/search.php", nominatim_search)
    return app


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


# ------------------------------------------------------------------------ Kakao

_KAKAO_CATEGORIES = {
    PlaceCategory.MARKET: ("", "", "쇼핑 > 전통시장"),
    PlaceCategory.STATION: ("SW8", "지하철역", "교통,수송 > 지하철,전철 > {line}"),
    PlaceCategory.ATTRACTION: ("AT4", "관광명소", "여행 > 관광,명소"),
    PlaceCategory.PARK: ("AT4", "관광명소", "여행 > 공원"),
}


def _kakao_error(status: int, error_type: str, message: str) -> web.Response:
    return _json({"errorType": error_type, "message": message}, status)


def _float_param(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class _Found:
    """A gazetteer place or a venue that answers a query, with what ranks it."""

    score: float
    prominence: float
    distance_m: float | None
    lat: float
    lon: float
    place: GazetteerPlace | None = None
    venue: Venue | None = None


@dataclass(frozen=True, slots=True)
class _RegionQuery:
    """A query split as Kakao does: '부산 진주집' → region 부산광역시, keyword 진주집."""

    keyword: str
    regions: list[str]
    selected: str


def _split_region(query: str, venues: VenueDirectory) -> _RegionQuery:
    words = query.split()
    if len(words) > 1:
        for i, word in enumerate(words):
            regions = venues.regions(word)
            if regions:
                keyword = " ".join(words[:i] + words[i + 1 :])
                counts = {r: len(venues.search(keyword, region=r)) for r in regions}
                selected = max(regions, key=lambda r: (counts[r], -regions.index(r)))
                return _RegionQuery(keyword, regions, selected)
    return _RegionQuery(query, [], "")


def _in_region(address: str, region: str) -> bool:
    words = {normalise(w) for w in address.split()}
    words |= {normalise(short_sido(w)) for w in address.split()[:1]}
    return all(normalise(w) in words or normalise(short_sido(w)) in words for w in region.split())


def _found(
    request: web.Request,
    keyword: str,
    *,
    region: str,
    near: tuple[float, float] | None,
    categories: tuple[PlaceCategory, ...] | None,
    groups: tuple[str, ...] | None,
) -> list[_Found]:
    """Gazetteer places and venues the keyword names, in the region; a venue
    that is a gazetteer place too (a landmark in both) once."""
    places = [
        m
        for m in request.app[GAZETTEER].search(keyword, categories=categories, near=near)
        if not region or _in_region(m.place.address, region)
    ]
    found = [
        _Found(m.score, m.place.prominence, m.distance_m, m.place.lat, m.place.lon, place=m.place)
        for m in places
    ]
    for match in request.app[VENUES].search(
        keyword, groups=groups, region=region or None, near=near
    ):
        venue = match.venue
        if venue.group == "AT4" and any(
            normalise(p.place.name) == normalise(venue.name)
            and haversine_m(p.place.lat, p.place.lon, venue.lat, venue.lon) < 1000
            for p in places
        ):
            continue
        found.append(_venue_found(match))
    return found


def _venue_found(match: VenueMatch) -> _Found:
    venue = match.venue
    # Venues rank below public places of the same match quality (a market
    # before the restaurant named after it), by the service's own popularity.
    return _Found(
        match.score,
        0.5 * venue.prominence,
        match.distance_m,
        venue.lat,
        venue.lon,
        venue=venue,
    )


def _rect(raw: str | None) -> tuple[float, float, float, float] | str | None:
    """'x1,y1,x2,y2' (two corners, longitude first) → (min lon, min lat, max lon, max lat)."""
    if not raw:
        return None
    parts = [_float_param(p) for p in raw.split(",")]
    if len(parts) != 4 or any(p is None for p in parts):
        return "rect must be four numbers: x1,y1,x2,y2"
    x1, y1, x2, y2 = (p for p in parts if p is not None)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


async def kakao_keyword(request: web.Request) -> web.Response:
    query = _kakao_query(request)
    if isinstance(query, web.Response):
        return query
    try:
        size = int(request.query.get("size", "15"))
        page = int(request.query.get("page", "1"))
        radius = int(request.query["radius"]) if "radius" in request.query else None
    except ValueError:
        return _kakao_error(400, "InvalidArgument", "size, page and radius must be integers")
    if not 1 <= size <= 15:
        return _kakao_error(400, "InvalidArgument", "size is more than max")
    if not 1 <= page <= 45:
        return _kakao_error(400, "InvalidArgument", "page is more than max")
    if radius is not None and not 0 <= radius <= 20000:
        return _kakao_error(400, "InvalidArgument", "radius is more than max")
    sort = request.query.get("sort", "accuracy")
    if sort not in ("accuracy", "distance"):
        return _kakao_error(400, "InvalidArgument", "sort must be accuracy or distance")
    group = request.query.get("category_group_code") or None
    if group is not None and group not in _KAKAO_GROUP_NAMES:
        return _kakao_error(400, "InvalidArgument", f"category_group_code {group} is unknown")
    rect = _rect(request.query.get("rect"))
    if isinstance(rect, str):
        return _kakao_error(400, "InvalidArgument", rect)
    x, y = _float_param(request.query.get("x")), _float_param(request.query.get("y"))
    near = (y, x) if x is not None and y is not None else None
    split = _split_region(query, request.app[VENUES])
    found = _found(
        request,
        split.keyword,
        region=split.selected,
        near=near,
        # Kakao keyword search returns places, not areas.
        categories=tuple(
            c for c, spec in _KAKAO_CATEGORIES.items() if group is None or spec[0] == group
        ),
        groups=(group,) if group else None,
    )
    if near is not None and radius is not None:
        found = [f for f in found if f.distance_m is not None and f.distance_m <= radius]
    if rect is not None:
        found = [f for f in found if rect[0] <= f.lon <= rect[2] and rect[1] <= f.lat <= rect[3]]
    if sort == "distance" and near is not None:
        found.sort(key=lambda f: (f.distance_m or 0.0, -f.score))
    else:
        # Accuracy: how well the name matches, then the service's popularity;
        # never distance, so the branch nearest x/y need not come first.
        found.sort(key=lambda f: (-f.score, -f.prominence))
    pageable = found[:45]
    documents = [_kakao_found(f) for f in pageable[(page - 1) * size : page * size]]
    return _json(
        {
            "documents": documents,
            "meta": {
                "is_end": page * size >= len(pageable),
                "pageable_count": len(pageable),
                "total_count": len(found),
                "same_name": {
                    "keyword": split.keyword,
                    "region": split.regions,
                    "selected_region": split.selected,
                },
            },
        }
    )


def _kakao_query(request: web.Request) -> str | web.Response:
    """The ``query`` of an authorised Kakao request, or Kakao's error answer."""
    denied = _kakao_auth(request)
    if denied is not None:
        return denied
    query = request.query.get("query", "").strip()
    return query or _kakao_error(400, "MissingParameter", "query parameter required")


def _kakao_auth(request: web.Request) -> web.Response | None:
    authorization = request.headers.get("Authorization", "")
    if not authorization:
        return _kakao_error(401, "AccessDeniedError", "cannot find Authorization : KakaoAK header")
    scheme, _, key = authorization.partition(" ")
    if scheme != "KakaoAK" or not key.strip():
        return _kakao_error(401, "AccessDeniedError", "wrong appKey format")
    return None


def _kakao_found(found: _Found) -> dict[str, str]:
    if found.venue is not None:
        return _kakao_venue_document(found.venue, found.distance_m)
    assert found.place is not None
    return _kakao_document(PlaceMatch(found.place, found.score, found.distance_m))


_KAKAO_GROUP_NAMES = {
    "MT1": "대형마트",
    "CS2": "편의점",
    "SW8": "지하철역",
    "FD6": "음식점",
    "CE7": "카페",
    "AD5": "숙박",
    "AT4": "관광명소",
    "CT1": "문화시설",
}


def _kakao_category_name(venue: Venue) -> str:
    kinds = [k.strip() for k in venue.kind.split(">") if k.strip()]
    if venue.group == "CE7":
        return " > ".join(["음식점", "카페", *[k for k in kinds[1:] if k != "카페"]])
    if venue.group == "AD5":
        return " > ".join(["여행", "숙박", *kinds[-1:]])
    if venue.group == "AT4":
        return "여행 > 관광,명소"
    return " > ".join(["음식점", *kinds])


def _kakao_venue_document(venue: Venue, distance_m: float | None) -> dict[str, str]:
    number = venue.numeric_id % 10**10
    return {
        "id": str(number),
        "place_name": venue.place_name,
        "category_name": _kakao_category_name(venue),
        "category_group_code": venue.group,
        "category_group_name": _KAKAO_GROUP_NAMES[venue.group],
        "phone": "",
        "address_name": kakao_address(venue.lot_address) if venue.lot_address else venue.area,
        "road_address_name": kakao_address(venue.road_address) if venue.road_address else "",
        "x": f"{venue.lon:.15g}",
        "y": f"{venue.lat:.15g}",
        "place_url": f"http://place.map.kakao.com/{number}",
        "distance": f"{distance_m:.0f}" if distance_m is not None else "",
    }


def _kakao_document(match: PlaceMatch) -> dict[str, str]:
    place = match.place
    code, group, category = _KAKAO_CATEGORIES[place.category]
    name = place.name
    if place.category == PlaceCategory.STATION:
        line = _short_line(place.detail)
        name, category = f"{place.name} {line}", category.format(line=line)
    address = kakao_address(place.address) if place.address else ""
    road = address if re.search(r"(로|길)\s*\d", address) else ""
    return {
        "id": str(place.numeric_id % 10**10),
        "place_name": name,
        "category_name": category,
        "category_group_code": code,
        "category_group_name": group,
        "phone": "",
        "address_name": address,
        "road_address_name": road,
        "x": f"{place.lon:.15g}",
        "y": f"{place.lat:.15g}",
        "place_url": f"http://place.map.kakao.com/{place.numeric_id % 10**10}",
        "distance": f"{match.distance_m:.0f}" if match.distance_m is not None else "",
    }


def _short_line(line: str) -> str:
    number = re.search(r"(\d+)호선$", line)
    if number and line.startswith("서울"):
        return f"수도권{number.group(1)}호선"
    return line.replace("도시철도 ", "")


_LOT = re.compile(r"^(?P<mountain>산)?(?P<main>\d+)(?:-(?P<sub>\d+))?$")
_ROAD_NUMBER = re.compile(r"^(?P<main>\d+)(?:-(?P<sub>\d+))?$")


async def kakao_address_search(request: web.Request) -> web.Response:
    """Road and lot addresses of the venue index; an area alone answers its centre."""
    query = _kakao_query(request)
    if isinstance(query, web.Response):
        return query
    try:
        size = int(request.query.get("size", "10"))
        page = int(request.query.get("page", "1"))
    except ValueError:
        return _kakao_error(400, "InvalidArgument", "size and page must be integers")
    if not 1 <= size <= 30:
        return _kakao_error(400, "InvalidArgument", "size is more than max")
    if not 1 <= page <= 45:
        return _kakao_error(400, "InvalidArgument", "page is more than max")
    if request.query.get("analyze_type", "similar") not in ("similar", "exact"):
        return _kakao_error(400, "InvalidArgument", "analyze_type must be similar or exact")
    venues = request.app[VENUES]
    documents = _region_documents(query, venues) or [
        _address_document(a, at) for a, at in venues.at_address(query)
    ]
    pageable = documents[: 45 * size]
    return _json(
        {
            "documents": pageable[(page - 1) * size : page * size],
            "meta": {
                "is_end": page * size >= len(pageable),
                "pageable_count": len(pageable),
                "total_count": len(documents),
            },
        }
    )


def _centre(venues: list[Venue]) -> tuple[float, float]:
    return (
        sum(v.lat for v in venues) / len(venues),
        sum(v.lon for v in venues) / len(venues),
    )


def _address_document(address: str, venues: list[Venue]) -> dict[str, Any]:
    first = venues[0]
    lat, lon = _centre(venues)
    road = first.road_address == address
    return {
        "address_name": kakao_address(address),
        "address_type": "ROAD_ADDR" if road else "REGION_ADDR",
        "x": f"{lon:.15g}",
        "y": f"{lat:.15g}",
        "address": _lot_part(first, lat, lon) if first.lot_address else None,
        "road_address": _road_part(first, lat, lon) if first.road_address else None,
    }


def _areas(venue: Venue, address: str) -> tuple[str, str, list[str]]:
    """(region 1, region 2, the words after them) of one of ``venue``'s addresses."""
    words = address.split()[1:]
    sigungu = venue.sigungu.split()
    if words[: len(sigungu)] == sigungu:
        words = words[len(sigungu) :]
    return short_sido(venue.sido), venue.sigungu, words


def _lot_part(venue: Venue, lat: float, lon: float) -> dict[str, str]:
    region_1, region_2, words = _areas(venue, venue.lot_address)
    number = _LOT.match(words[-1]) if words else None
    dong = " ".join(words[:-1] if number else words)
    return {
        "address_name": kakao_address(venue.lot_address),
        "region_1depth_name": region_1,
        "region_2depth_name": region_2,
        "region_3depth_name": dong,
        "region_3depth_h_name": venue.dong,
        "h_code": "",
        "b_code": "",
        "mountain_yn": "Y" if number and number["mountain"] else "N",
        "main_address_no": number["main"] if number else "",
        "sub_address_no": (number["sub"] or "") if number else "",
        "x": f"{lon:.15g}",
        "y": f"{lat:.15g}",
    }


def _road_part(venue: Venue, lat: float, lon: float) -> dict[str, str]:
    region_1, region_2, words = _areas(venue, venue.road_address)
    at = next((i for i, w in enumerate(words) if _ROAD_NUMBER.match(w)), None)
    road = words[at - 1] if at else ""
    number = _ROAD_NUMBER.match(words[at]) if at is not None else None
    lot_words = _areas(venue, venue.lot_address)[2] if venue.lot_address else []
    return {
        "address_name": kakao_address(venue.road_address),
        "region_1depth_name": region_1,
        "region_2depth_name": region_2,
        "region_3depth_name": lot_words[0] if lot_words else venue.dong,
        "road_name": road,
        "underground_yn": "N",
        "main_building_no": number["main"] if number else "",
        "sub_building_no": (number["sub"] or "") if number else "",
        "building_name": "",
        "zone_no": "",
        "x": f"{lon:.15g}",
        "y": f"{lat:.15g}",
    }


def _region_documents(query: str, venues: VenueDirectory) -> list[dict[str, Any]]:
    """'부산 중구', '중구 남포동': the centre of the venues of each area the
    words name (every 중구 for '중구'), as Kakao answers a region (REGION)."""
    words = query.split()
    if not words or not all(venues.regions(w) for w in words):
        return []
    areas: dict[tuple[str, str, str], list[Venue]] = {}
    for venue in venues.venues:
        if all(normalise(w) in venue.region_words() for w in words):
            named_dong = any(normalise(w) == normalise(venue.dong) for w in words)
            key = (venue.sido, venue.sigungu, venue.dong if named_dong else "")
            areas.setdefault(key, []).append(venue)
    documents = []
    for (sido, sigungu, dong), inside in sorted(areas.items()):
        lat, lon = _centre(inside)
        name = " ".join(p for p in (short_sido(sido), sigungu, dong) if p)
        region = {
            "address_name": name,
            "region_1depth_name": short_sido(sido),
            "region_2depth_name": sigungu,
            "region_3depth_name": dong,
            "region_3depth_h_name": dong,
            "h_code": "",
            "b_code": "",
            "mountain_yn": "N",
            "main_address_no": "",
            "sub_address_no": "",
            "x": f"{lon:.15g}",
            "y": f"{lat:.15g}",
        }
        documents.append(
            {
                "address_name": name,
                "address_type": "REGION",
                "x": region["x"],
                "y": region["y"],
                "address": region,
                "road_address": None,
            }
        )
    return documents


# ----------------------------------------------------------------- Google Places

_GOOGLE_TYPES = {
    PlaceCategory.MARKET: ["market", "point_of_interest", "establishment"],
    PlaceCategory.STATION: [
        "subway_station",
        "transit_station",
        "point_of_interest",
        "establishment",
    ],
    PlaceCategory.ATTRACTION: ["tourist_attraction", "point_of_interest", "establishment"],
    PlaceCategory.PARK: ["park", "tourist_attraction", "point_of_interest", "establishment"],
    PlaceCategory.ADMIN_AREA: ["political"],
}
_ADMIN_TYPES = {
    "시도": "administrative_area_level_1",
    "시군구": "sublocality_level_1",
    "읍면동": "sublocality_level_2",
}
# Fields of a Place that a field mask may name; the ones this fake has are filled.
_PLACE_FIELDS = {
    "id",
    "name",
    "displayName",
    "formattedAddress",
    "shortFormattedAddress",
    "location",
    "types",
    "primaryType",
    "primaryTypeDisplayName",
    "googleMapsUri",
    "viewport",
    "addressComponents",
    "plusCode",
    "businessStatus",
    "rating",
    "userRatingCount",
    "priceLevel",
    "websiteUri",
    "nationalPhoneNumber",
    "internationalPhoneNumber",
    "regularOpeningHours",
    "currentOpeningHours",
    "photos",
    "reviews",
    "utcOffsetMinutes",
    "adrFormatAddress",
    "iconMaskBaseUri",
    "iconBackgroundColor",
    "editorialSummary",
    "pureServiceAreaBusiness",
    "accessibilityOptions",
    "attributions",
    "containingPlaces",
    "addressDescriptor",
    "googleMapsLinks",
    "timeZone",
    "postalAddress",
}


def _google_error(status: int, code_name: str, message: str) -> web.Response:
    return _json({"error": {"code": status, "message": message, "status": code_name}}, status)


def _google_place_id(place: GazetteerPlace) -> str:
    return _google_id(place.key)


def _google_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()[:20]
    return "ChIJ" + base64.urlsafe_b64encode(digest).decode().rstrip("=")[:23]


def _google_place(place: GazetteerPlace, language: str) -> dict[str, Any]:
    place_id = _google_place_id(place)
    types = list(_GOOGLE_TYPES[place.category])
    if place.category == PlaceCategory.ADMIN_AREA:
        types = [_ADMIN_TYPES[place.detail], "political"]
    return _google_document(
        place_id,
        types,
        address=place.address,
        lat=place.lat,
        lon=place.lon,
        numeric_id=place.numeric_id,
        name=place.name,
        name_en=place.name_en,
        language=language,
        half_span=0.002,
    )


def _google_document(
    place_id: str,
    types: list[str],
    *,
    address: str,
    lat: float,
    lon: float,
    numeric_id: int,
    name: str,
    name_en: str,
    language: str,
    half_span: float,
) -> dict[str, Any]:
    """A Places API (New) place as Text Search returns it; the viewport spans
    ``half_span`` degrees each way."""
    english = language.lower().startswith("en")
    return {
        "name": f"places/{place_id}",
        "id": place_id,
        "types": types,
        "formattedAddress": f"대한민국 {address}".strip(),
        "shortFormattedAddress": address,
        "location": {"latitude": lat, "longitude": lon},
        "viewport": {
            "low": {"latitude": lat - half_span, "longitude": lon - half_span},
            "high": {"latitude": lat + half_span, "longitude": lon + half_span},
        },
        "googleMapsUri": f"https://maps.google.com/?cid={numeric_id}",
        "displayName": {
            "text": name_en if english else name,
            "languageCode": "en" if english else "ko",
        },
        "primaryType": types[0],
    }


def _apply_field_mask(places: list[dict[str, Any]], mask: str) -> dict[str, Any] | str:
    """The response with only the masked fields, or the error message for a bad mask."""
    paths = [p.strip() for p in mask.split(",") if p.strip()]
    if "*" in paths or "places" in paths or "places.*" in paths:
        return {"places": places} if places else {}
    wanted: list[list[str]] = []
    for path in paths:
        if path == "nextPageToken":
            continue  # a field of the response, not of a place: the handler adds it
        parts = path.split(".")
        if parts[0] != "places" or len(parts) < 2 or parts[1] not in _PLACE_FIELDS:
            return (
                "Error expanding 'fields' parameter. "
                f"Cannot find matching fields for path '{path}'."
            )
        wanted.append(parts[1:])
    masked = []
    for place in places:
        kept: dict[str, Any] = {}
        for parts in wanted:
            value: Any = place
            for part in parts:
                value = value.get(part) if isinstance(value, dict) else None
            if value is None:
                continue
            target = kept
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
        masked.append(kept)
    return {"places": masked} if masked else {}


async def google_search_text(request: web.Request) -> web.Response:
    if not (request.headers.get("X-Goog-Api-Key") or request.query.get("key")):
        return _google_error(403, "PERMISSION_DENIED", "The request is missing a valid API key.")
    mask = (
        request.headers.get("X-Goog-FieldMask")
        or request.query.get("fields")
        or request.query.get("$fields")
    )
    if not mask:
        return _google_error(
            400,
            "INVALID_ARGUMENT",
            "FieldMask is a required parameter. See "
            "https://cloud.google.com/apis/docs/system-parameters on how to provide it. "
            "As an example, you can set the header 'X-Goog-FieldMask' to value "
            "'places.displayName', 'places.id' to ask for the display name and the place id of a "
            "place. You can also set the value to '*' in manual testing to get all the available "
            "response fields.",
        )
    try:
        body = await request.json()
    except json.JSONDecodeError:
        return _google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
    query = str(body.get("textQuery") or "").strip()
    if not query:
        return _google_error(400, "INVALID_ARGUMENT", "Empty text_query.")
    limit = int(body.get("pageSize") or body.get("maxResultCount") or 20)
    if not 1 <= limit <= 20:
        return _google_error(400, "INVALID_ARGUMENT", "page_size must be between 1 and 20.")
    bias = _google_area(body.get("locationBias") or {})
    restriction = _google_area(body.get("locationRestriction") or {})
    if isinstance(bias, str) or isinstance(restriction, str):
        return _google_error(
            400, "INVALID_ARGUMENT", str(bias if isinstance(bias, str) else restriction)
        )
    offset = _google_offset(str(body.get("pageToken") or ""), query)
    if offset is None:
        return _google_error(400, "INVALID_ARGUMENT", "Invalid page_token.")
    near = bias.centre if bias is not None else None
    split = _split_region(query, request.app[VENUES])
    found = _found(
        request, split.keyword, region=split.selected, near=near, categories=None, groups=None
    )
    if restriction is not None:
        found = [f for f in found if restriction.contains(f.lat, f.lon)]
    language = str(body.get("languageCode") or "ko")
    if body.get("rankPreference") == "DISTANCE" and near is not None:
        found.sort(key=lambda f: f.distance_m or 0.0)
    else:
        # Relevance: the name, then — with a bias — nearness, else prominence;
        # either way every branch of a name comes, from all over the country.
        found.sort(
            key=lambda f: (
                -f.score,
                f.distance_m if f.distance_m is not None else 0.0,
                -f.prominence,
            )
        )
    places = [_google_found(f, language) for f in found[:_GOOGLE_MAX_RESULTS]]
    included = body.get("includedType")
    if included:
        places = [p for p in places if included in p["types"]]
    masked = _apply_field_mask(places[offset : offset + limit], mask)
    if isinstance(masked, str):
        return _google_error(400, "INVALID_ARGUMENT", masked)
    fields = mask.replace(" ", "").split(",")
    if offset + limit < len(places) and ("nextPageToken" in fields or "*" in fields):
        masked["nextPageToken"] = _google_page_token(query, offset + limit)
    return _json(masked)


_GOOGLE_MAX_RESULTS = 60
"""Text Search (New) pages through 60 results at most."""


@dataclass(frozen=True, slots=True)
class _GoogleArea:
    centre: tuple[float, float]
    radius_m: float | None = None
    low: tuple[float, float] | None = None
    high: tuple[float, float] | None = None

    def contains(self, lat: float, lon: float) -> bool:
        if self.low is not None and self.high is not None:
            return self.low[0] <= lat <= self.high[0] and self.low[1] <= lon <= self.high[1]
        distance = haversine_m(self.centre[0], self.centre[1], lat, lon)
        return self.radius_m is None or distance <= self.radius_m


def _google_area(raw: dict[str, Any]) -> _GoogleArea | str | None:
    """A circle {center, radius} or a rectangle {low, high} of a locationBias
    or locationRestriction."""
    try:
        if "circle" in raw:
            centre = raw["circle"]["center"]
            radius = float(raw["circle"].get("radius", 0.0))
            if not 0.0 <= radius <= 50_000.0:
                return "Invalid radius: must be between 0.0 and 50000.0."
            return _GoogleArea((float(centre["latitude"]), float(centre["longitude"])), radius)
        if "rectangle" in raw:
            low, high = raw["rectangle"]["low"], raw["rectangle"]["high"]
            south_west = (float(low["latitude"]), float(low["longitude"]))
            north_east = (float(high["latitude"]), float(high["longitude"]))
            centre = ((south_west[0] + north_east[0]) / 2, (south_west[1] + north_east[1]) / 2)
            return _GoogleArea(centre, low=south_west, high=north_east)
    except (KeyError, TypeError, ValueError):
        return (
            "Invalid location: a circle needs center.latitude/longitude, a rectangle low and high."
        )
    return None


def _google_page_token(query: str, offset: int) -> str:
    raw = json.dumps({"q": query, "o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _google_offset(token: str, query: str) -> int | None:
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded))
        offset = int(decoded["o"])
    except (ValueError, KeyError, TypeError):
        return None
    return offset if decoded.get("q") == query and 0 <= offset < _GOOGLE_MAX_RESULTS else None


def _google_found(found: _Found, language: str) -> dict[str, Any]:
    if found.venue is not None:
        return _google_venue(found.venue, language)
    assert found.place is not None
    return _google_place(found.place, language)


_GOOGLE_KIND_TYPES = (
    ("한식", "korean_restaurant"),
    ("일식", "japanese_restaurant"),
    ("중식", "chinese_restaurant"),
    ("중국집", "chinese_restaurant"),
    ("치킨", "chicken_restaurant"),
    ("피자", "pizza_restaurant"),
    ("버거", "hamburger_restaurant"),
    ("빵", "bakery"),
    ("주점", "bar"),
    ("호텔", "hotel"),
    ("모텔", "motel"),
    ("여관", "motel"),
)
_GOOGLE_GROUP_TYPES = {
    "FD6": ["restaurant", "food", "point_of_interest", "establishment"],
    "CE7": ["cafe", "coffee_shop", "food", "point_of_interest", "store", "establishment"],
    "AD5": ["lodging", "point_of_interest", "establishment"],
    "AT4": ["tourist_attraction", "point_of_interest", "establishment"],
}


def _google_venue(venue: Venue, language: str) -> dict[str, Any]:
    place_id = _google_id(venue.key)
    specific = next((t for word, t in _GOOGLE_KIND_TYPES if word in venue.kind), None)
    types = list(_GOOGLE_GROUP_TYPES[venue.group])
    if specific and specific not in types:
        types.insert(0, specific)
    address = (
        venue.road_address or venue.lot_address or f"{venue.sido} {venue.sigungu} {venue.dong}"
    )
    return _google_document(
        place_id,
        types,
        address=address,
        lat=venue.lat,
        lon=venue.lon,
        numeric_id=venue.numeric_id,
        name=venue.place_name,
        name_en=venue.name_en,
        language=language,
        half_span=0.001,
    )


# --------------------------------------------------------------------- Nominatim

_NOMINATIM_CLASSES = {
    PlaceCategory.MARKET: ("amenity", "marketplace", "amenity", 30),
    PlaceCategory.STATION: ("railway", "station", "railway", 30),
    PlaceCategory.ATTRACTION: ("tourism", "attraction", "tourism", 30),
    PlaceCategory.PARK: ("leisure", "park", "leisure", 25),
}
_ADMIN_RANKS = {"시도": ("province", 8), "시군구": ("borough", 12), "읍면동": ("quarter", 20)}
# Stock User-Agents of HTTP libraries are refused, as the usage policy says.
_STOCK_AGENT = re.compile(
    r"^(python-requests|python-httpx|python-urllib|Python-urllib|aiohttp|Python/|curl/|Wget/|"
    r"Go-http-client|okhttp|axios|node-fetch|Java/|libwww-perl)",
)
_LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"


def _nominatim_error(status: int, message: str) -> web.Response:
    return _json({"error": {"code": status, "message": message}}, status)


async def nominatim_search(request: web.Request) -> web.Response:
    agent = request.headers.get("User-Agent", "").strip()
    if not agent or _STOCK_AGENT.match(agent):
        return web.Response(
            status=403,
            text="Access blocked: provide a User-Agent that identifies your application "
            "(see https://operations.osmfoundation.org/policies/nominatim/).",
        )
    if not request.app[NOMINATIM_LIMITER].allow(f"{request.remote}|{agent}"):
        return web.Response(status=429, text="Too Many Requests: at most 1 request per second.")
    fmt = request.query.get("format", "xml")
    if fmt not in ("json", "jsonv2"):
        return _nominatim_error(400, f"format '{fmt}' is not served by this fake (json, jsonv2)")
    query = request.query.get("q", "").strip()
    if not query:
        return _nominatim_error(400, "Nothing to search for.")
    try:
        limit = max(1, min(40, int(request.query.get("limit", "10"))))
    except ValueError:
        return _nominatim_error(400, "Parameter 'limit' must be a number.")
    codes = request.query.get("countrycodes", "").lower()
    if codes and "kr" not in codes.split(","):
        return _json([])
    english = request.query.get("accept-language", "").lower().startswith("en")
    matches = request.app[GAZETTEER].search(query)[:limit]
    return _json([_nominatim_place(m.place, fmt, english=english) for m in matches])


def _nominatim_place(place: GazetteerPlace, fmt: str, *, english: bool) -> dict[str, Any]:
    if place.category == PlaceCategory.ADMIN_AREA:
        osm_class, osm_type, (addresstype, rank) = (
            "boundary",
            "administrative",
            _ADMIN_RANKS[place.detail],
        )
    else:
        osm_class, osm_type, addresstype, rank = _NOMINATIM_CLASSES[place.category]
        if place.name.endswith("해수욕장"):
            osm_class, osm_type, addresstype = "natural", "beach", "natural"
    name = place.name_en if english else place.name
    # "서울특별시 마포구 망원로8길 3" → "망원로8길, 마포구, 서울특별시" (house numbers dropped)
    areas = [t for t in place.address.replace(",", " ").split() if not t[0].isdigit()]
    parts = [name, *reversed(areas), "대한민국" if not english else "South Korea"]
    display = ", ".join(dict.fromkeys(p for p in parts if p))
    entry: dict[str, Any] = {
        "place_id": place.numeric_id % 10**9,
        "licence": _LICENCE,
        "osm_type": "relation" if osm_class == "boundary" else "node",
        "osm_id": place.numeric_id % 10**10,
        "lat": f"{place.lat:.7f}",
        "lon": f"{place.lon:.7f}",
        ("category" if fmt == "jsonv2" else "class"): osm_class,
        "type": osm_type,
        "place_rank": rank,
        "importance": round(place.prominence, 6),
        "addresstype": addresstype,
        "name": name,
        "display_name": display,
        "boundingbox": [
            f"{place.lat - 0.001:.7f}",
            f"{place.lat + 0.001:.7f}",
            f"{place.lon - 0.001:.7f}",
            f"{place.lon + 0.001:.7f}",
        ],
    }
    return entry
