"""Fake Kakao Local keyword search (GET /v2/local/search/keyword.json): the
KakaoAK check, the parameters Kakao validates, accuracy and distance sorting
(same-name branches in the service's own order, not by distance) and Kakao's
documents for gazetteer places and venues."""

from __future__ import annotations

import re

from aiohttp import web

from pind_fakes.gazetteer import PlaceCategory, PlaceMatch
from pind_fakes.geocoders.search import (
    VENUES,
    Found,
    float_param,
    json_response,
    places_and_venues,
    split_region,
)
from pind_fakes.venues import Venue, kakao_address

_KAKAO_CATEGORIES = {
    PlaceCategory.MARKET: ("", "", "쇼핑 > 전통시장"),
    PlaceCategory.STATION: ("SW8", "지하철역", "교통,수송 > 지하철,전철 > {line}"),
    PlaceCategory.ATTRACTION: ("AT4", "관광명소", "여행 > 관광,명소"),
    PlaceCategory.PARK: ("AT4", "관광명소", "여행 > 공원"),
}


def kakao_error(status: int, error_type: str, message: str) -> web.Response:
    return json_response({"errorType": error_type, "message": message}, status)


def _rect(raw: str | None) -> tuple[float, float, float, float] | str | None:
    """'x1,y1,x2,y2' (two corners, longitude first) → (min lon, min lat, max lon, max lat)."""
    if not raw:
        return None
    parts = [float_param(p) for p in raw.split(",")]
    if len(parts) != 4 or any(p is None for p in parts):
        return "rect must be four numbers: x1,y1,x2,y2"
    x1, y1, x2, y2 = (p for p in parts if p is not None)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


async def kakao_keyword(request: web.Request) -> web.Response:
    query = kakao_query(request)
    if isinstance(query, web.Response):
        return query
    try:
        size = int(request.query.get("size", "15"))
        page = int(request.query.get("page", "1"))
        radius = int(request.query["radius"]) if "radius" in request.query else None
    except ValueError:
        return kakao_error(400, "InvalidArgument", "size, page and radius must be integers")
    if not 1 <= size <= 15:
        return kakao_error(400, "InvalidArgument", "size is more than max")
    if not 1 <= page <= 45:
        return kakao_error(400, "InvalidArgument", "page is more than max")
    if radius is not None and not 0 <= radius <= 20000:
        return kakao_error(400, "InvalidArgument", "radius is more than max")
    sort = request.query.get("sort", "accuracy")
    if sort not in ("accuracy", "distance"):
        return kakao_error(400, "InvalidArgument", "sort must be accuracy or distance")
    group = request.query.get("category_group_code") or None
    if group is not None and group not in _KAKAO_GROUP_NAMES:
        return kakao_error(400, "InvalidArgument", f"category_group_code {group} is unknown")
    rect = _rect(request.query.get("rect"))
    if isinstance(rect, str):
        return kakao_error(400, "InvalidArgument", rect)
    x, y = float_param(request.query.get("x")), float_param(request.query.get("y"))
    near = (y, x) if x is not None and y is not None else None
    split = split_region(query, request.app[VENUES])
    found = places_and_venues(
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
    return json_response(
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


def kakao_query(request: web.Request) -> str | web.Response:
    """The ``query`` of an authorised Kakao request, or Kakao's error answer."""
    denied = _kakao_auth(request)
    if denied is not None:
        return denied
    query = request.query.get("query", "").strip()
    return query or kakao_error(400, "MissingParameter", "query parameter required")


def _kakao_auth(request: web.Request) -> web.Response | None:
    authorization = request.headers.get("Authorization", "")
    if not authorization:
        return kakao_error(401, "AccessDeniedError", "cannot find Authorization : KakaoAK header")
    scheme, _, key = authorization.partition(" ")
    if scheme != "KakaoAK" or not key.strip():
        return kakao_error(401, "AccessDeniedError", "wrong appKey format")
    return None


def _kakao_found(found: Found) -> dict[str, str]:
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
