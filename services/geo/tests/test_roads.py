"""Roads named without a building number ('서울 종로구 창경궁로'): placed at
the road (a point on it, a radius, category road, a lower confidence) from
the addresses the repository carries; a road name alone, or one the data
does not know, is not placed."""

from __future__ import annotations

import pytest

from pind_geo.adapters.gazetteer_files import load_index
from pind_geo.adapters.venue_geocoder import VenueGeocoder, load_venue_geocoder
from pind_geo.domain.extraction.venues import ADDRESS_HINT, VenueNameExtractor
from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import GeocodeQuery, GeocodeResult, PlaceCandidate, TextUnit
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.domain.resolution.addresses import tied_to_addresses
from pind_geo.domain.venues.roads import MIN_RADIUS_M, RoadBook
from pind_geo.settings import DEFAULT_GAZETTEER_DIR, DEFAULT_VENUES_DIR

# 광장시장 (창경궁로 88) and 창경궁 (창경궁로 185), as the gazetteer lists them.
GWANGJANG = (37.57011477, 126.9997057)
CHANGGYEONGGUNG = (37.580751, 126.995073)


def test_a_road_is_the_medoid_of_its_addresses_with_a_radius_holding_them() -> None:
    book = RoadBook(
        [
            ("부산", "중구", "자갈치로 26", 35.0960, 129.0300),
            ("부산", "중구", "자갈치로 42", 35.0965, 129.0310),
            ("부산", "중구", "자갈치로 90", 35.0970, 129.0330),
            ("부산", "서구", "자갈치로 5", 35.0900, 129.0200),  # another district
        ]
    )
    road = book.find("자갈치로", [("부산", "중구")])
    assert road is not None and (road.lat, road.lon) == (35.0965, 129.031)
    assert road.addresses == 3 and road.radius_m == MIN_RADIUS_M  # all within 200 m
    assert book.find("자갈치로", [("부산", "")]) is None  # two districts have one
    assert book.find("광복로", [("부산", "중구")]) is None  # no address on it


def test_a_long_road_has_a_radius_past_the_minimum() -> None:
    book = RoadBook(
        [
            ("서울", "종로구", "서울특별시 종로구 창경궁로 88", *GWANGJANG),
            ("서울", "종로구", "서울특별시 종로구 창경궁로 185", *CHANGGYEONGGUNG),
        ]
    )
    road = book.find("창경궁로", [("서울", "종로구")])
    assert road is not None and road.radius_m > MIN_RADIUS_M
    between = distance_m(*GWANGJANG, *CHANGGYEONGGUNG)
    assert road.radius_m == pytest.approx(between, abs=1.0)


@pytest.fixture(scope="module")
def carried() -> VenueGeocoder:
    return load_venue_geocoder(DEFAULT_VENUES_DIR, dongs=load_index(DEFAULT_GAZETTEER_DIR).entries)


async def test_the_carried_data_places_a_road_without_a_number(carried: VenueGeocoder) -> None:
    (road,) = await carried.geocode(GeocodeQuery("서울 종로구 창경궁로", "ko", ADDRESS_HINT))
    assert (road.name, road.category, road.admin_level) == ("창경궁로", "road", 0)
    assert road.radius_m is not None and road.radius_m >= MIN_RADIUS_M
    assert road.score < 1.0 and road.address == "서울 종로구 창경궁로"
    assert distance_m(road.lat, road.lon, *GWANGJANG) <= road.radius_m
    # Busan's roads come from the venue data's own addresses.
    (busan,) = await carried.geocode(GeocodeQuery("부산 중구 광복로", "ko", ADDRESS_HINT))
    assert busan.category == "road" and busan.area.district == "중구"
    assert await carried.geocode(GeocodeQuery("서울 종로구 없는길", "ko", ADDRESS_HINT)) == []


def test_a_road_is_read_only_after_its_district_and_only_when_known() -> None:
    extractor = VenueNameExtractor(frozenset(), roads=frozenset({"창경궁로"}))

    def read(text: str) -> list[str]:
        return [c.text for c in extractor.extract([TextUnit("description", text)])]

    assert read("산책: 서울 종로구 창경궁로 따라 걸었어요") == ["서울 종로구 창경궁로"]
    assert read("광장시장: 서울 종로구 창경궁로 88") == ["서울 종로구 창경궁로 88"]
    assert read("창경궁로 따라 걸었어요") == []  # no district: many roads share names
    assert read("광진구 쪽으로 갔어요") == []  # not a road the data knows


async def test_a_road_in_a_description_becomes_a_road_place(
    place_extractor: PlaceExtractor,
) -> None:
    units = [TextUnit("description", "📍 장소\n- 산책: 서울 종로구 창경궁로")]
    extraction = await place_extractor.extract(units)
    (road,) = [p for p in extraction.places if p.category == "road"]
    assert road.name == "창경궁로" and road.radius_m is not None
    assert road.confidence < 0.5 and road.address == "서울 종로구 창경궁로"


def test_a_name_beside_a_road_is_not_tied_to_the_venue_at_the_roads_point() -> None:
    """A road's point is no building: a name on its line is not 'at' it."""
    unit = TextUnit("description", "- 카페: 서울 종로구 창경궁로")
    road_query = GeocodeQuery("서울 종로구 창경궁로", "ko", ADDRESS_HINT)
    name_query = GeocodeQuery("카페", "ko")
    road = GeocodeResult(
        "venues:road:서울:종로구:창경궁로",
        "창경궁로",
        "road",
        *GWANGJANG,
        0.5,
        "venues",
        radius_m=1250.0,
    )
    here = GeocodeResult("venues:a", "카페", "cafe", *GWANGJANG, 1.0, "venues")
    there = GeocodeResult("venues:b", "카페", "cafe", 37.5, 127.0, 1.0, "venues")
    by_query = {
        road_query: [PlaceCandidate(road_query.text, unit, 6, 17, "ko", ADDRESS_HINT)],
        name_query: [PlaceCandidate("카페", unit, 2, 4, "ko")],
    }
    assert tied_to_addresses(by_query, {road_query: [road], name_query: [here, there]}) == {}
