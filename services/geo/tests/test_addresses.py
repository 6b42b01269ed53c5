"""Addresses placed offline: at the venue the data has there, else at the
행정동 the address is in (road: the closest building number on the road;
lot: the 법정동's 행정동; or the 행정동 it names)."""

from __future__ import annotations

import pytest

from pind_geo.adapters.gazetteer_files import load_index
from pind_geo.adapters.venue_geocoder import VenueGeocoder, load_venue_geocoder
from pind_geo.domain.extraction.venues import ADDRESS_HINT
from pind_geo.domain.gazetteer import GazetteerEntry
from pind_geo.domain.model import AdminArea, GeocodeQuery
from pind_geo.domain.venues import AddressBook, VenueRecord, address_key
from pind_geo.settings import DEFAULT_GAZETTEER_DIR, DEFAULT_VENUES_DIR


def venue(name: str, dong: str, road: str, lot: str) -> VenueRecord:
    return VenueRecord(
        ref=name,
        source="test",
        name=name,
        branch="",
        group="FD6",
        kind="한식",
        sido="부산광역시",
        sigungu="중구",
        dong=dong,
        road_address=f"부산광역시 중구 {road}",
        lot_address=f"부산광역시 중구 {lot}",
        lat=35.1,
        lon=129.03,
    )


def dong(name: str, code: str, lat: float) -> GazetteerEntry:
    return GazetteerEntry(
        key=f"gazetteer:admin:{code}",
        name=name,
        category="neighbourhood",
        lat=lat,
        lon=129.03,
        names_ko=frozenset({name}),
        names_en=frozenset(),
        area=AdminArea("부산", "중구"),
        admin_level=3,
    )


@pytest.fixture(scope="module")
def book() -> AddressBook:
    venues = [
        venue("진주식당", "남포동", "자갈치로 26", "남포동4가 37-1"),
        venue("할매국밥", "남포동", "자갈치로 42", "남포동4가 12"),
        venue("원조통닭", "광복1동", "광복로 10", "광복동1가 3"),
    ]
    # KMA writes numbered neighbourhoods '…제1동'; the venue data '…1동'.
    dongs = [dong("남포동", "2611058000", 35.094), dong("광복제1동", "2611056000", 35.099)]
    return AddressBook(venues, dongs)


def test_an_address_in_the_data_is_its_venues(book: AddressBook) -> None:
    found = book.locate("부산 중구 자갈치로 26")
    assert [v.name for v in found.venues] == ["진주식당"] and found.dong is None
    assert address_key("부산광역시 중구 남포동4가 37-1") == "남포동4가37-1"


@pytest.mark.parametrize(
    ("text", "code", "how"),
    [
        # Between 26 and 42 on 자갈치로: where those are.
        ("부산 중구 자갈치로 30", "2611058000", "road"),
        ("부산광역시 중구 자갈치로 300", "2611058000", "road"),
        # A lot in 남포동4가 (법정동) is in 남포동 (행정동).
        ("부산 중구 남포동4가 99", "2611058000", "lot"),
        # The 행정동 named: '광복1동' is KMA's '광복제1동'.
        ("부산 중구 광복1동 산 5", "2611056000", "named"),
        # No district written, but 광복로 is in one district only.
        ("광복로 77", "2611056000", "road"),
    ],
)
def test_an_address_not_in_the_data_is_its_dong(
    book: AddressBook, text: str, code: str, how: str
) -> None:
    found = book.locate(text)
    assert found.venues == ()
    assert found.dong is not None and found.dong.key == f"gazetteer:admin:{code}"
    assert found.how == how


def test_an_address_nothing_says_where_is_not_placed(book: AddressBook) -> None:
    assert book.locate("서울 종로구 창경궁로 88") == book.locate("없는로 5")
    assert book.locate("없는로 5").dong is None and book.locate("없는로 5").venues == ()


@pytest.fixture(scope="module")
def carried() -> VenueGeocoder:
    return load_venue_geocoder(DEFAULT_VENUES_DIR, dongs=load_index(DEFAULT_GAZETTEER_DIR).entries)


async def test_the_carried_data_places_addresses_at_venues_or_dongs(
    carried: VenueGeocoder,
) -> None:
    def query(text: str) -> GeocodeQuery:
        return GeocodeQuery(text, "ko", ADDRESS_HINT)

    at = await carried.geocode(query("부산 중구 자갈치로 26"))
    assert at and all(r.admin_level == 0 and r.category != "neighbourhood" for r in at)
    # 구남로 1 is not in the data; 구남로's first numbers are in 우1동 (KMA 우제1동).
    near = await carried.geocode(query("부산 해운대구 구남로 1"))
    assert [(r.name, r.admin_level, r.address) for r in near] == [
        ("우동", 3, "부산 해운대구 구남로 1")
    ]
    assert await carried.geocode(query("서울 종로구 창경궁로 88")) == []
