"""The offline venue index: the builder (on a small fixture in the shared
layout), the index and the venues geocoder (same-name venues, branches,
landmarks), the files the repository carries, and the pipeline using them."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from pind_geo.adapters.chain import GeocoderChain
from pind_geo.adapters.gazetteer_files import load_index
from pind_geo.adapters.offline_geocoder import GazetteerGeocoder
from pind_geo.adapters.venue_files import SOURCES, file_name, read_records
from pind_geo.adapters.venue_geocoder import VenueGeocoder, load_venue_geocoder
from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import GeocodeQuery, PlaceCandidate, TextUnit
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.domain.resolution import resolve
from pind_geo.errors import VenueIndexMissingError
from pind_geo.settings import DEFAULT_GAZETTEER_DIR, DEFAULT_VENUES_DIR, ExtractionSettings
from services.geo.tools.build_venue_index import build

HEADER = (
    "source_id,name,branch,category_large,category_mid,category_small,sido,sigungu,dong,"
    "road_address,lot_address,building,floor,lon,lat"
)
BUSAN = [
    # Three restaurants of one name, in three districts.
    "A1,진주집,,음식,한식,백반/한정식,부산광역시,중구,중앙동,부산광역시 중구 대청로134번길 27,"
    "부산광역시 중구 중앙동4가 1,,1,129.0355,35.1030",
    "A2,진주집,,음식,한식,백반/한정식,부산광역시,금정구,서3동,부산광역시 금정구 서부로16번길 26-1,"
    "부산광역시 금정구 서동 1,,1,129.1021,35.2152",
    "A3,진주집,,음식,한식,돼지고기 구이/찜,부산광역시,동구,범일1동,부산광역시 동구 안창로 65,"
    "부산광역시 동구 범일동 1,,1,129.0610,35.1400",
    # The same row with another floor and id (an exact copy once the columns
    # pind keeps are kept), and with another category (the same venue).
    "A4,은화수식당,서면점,음식,한식,백반/한정식,부산광역시,부산진구,부전2동,"
    "부산광역시 부산진구 서전로10번길 53,부산광역시 부산진구 부전동 1,,1,129.0590,35.1560",
    "A5,은화수식당,서면점,음식,한식,백반/한정식,부산광역시,부산진구,부전2동,"
    "부산광역시 부산진구 서전로10번길 53,부산광역시 부산진구 부전동 1,,2,129.0590,35.1560",
    "A5,은화수식당,서면점,음식,한식,국/탕/찌개류,부산광역시,부산진구,부전2동,"
    "부산광역시 부산진구 서전로10번길 53,부산광역시 부산진구 부전동 1,,2,129.0590,35.1560",
    # A chain with the branch inside the name, and its plain-named shops.
    "A6,이디야광안역점,,음식,비알코올,카페,부산광역시,수영구,광안1동,부산광역시 수영구 수영로588번길 7,"
    "부산광역시 수영구 광안동 1,,1,129.1130,35.1580",
    "A7,이디야,,음식,비알코올,카페,부산광역시,남구,대연3동,부산광역시 남구 용소로 1,"
    "부산광역시 남구 대연동 1,,1,129.1000,35.1350",
    "A8,이디야,,음식,비알코올,카페,부산광역시,북구,덕천1동,부산광역시 북구 만덕대로 1,"
    "부산광역시 북구 덕천동 1,,1,129.0050,35.2100",
    "A9,모텔바다,,숙박,일반 숙박,여관/모텔,부산광역시,중구,남포동,부산광역시 중구 남포길 9,"
    "부산광역시 중구 남포동2가 9,,1,129.0300,35.0980",
    "A10,구공반점,,음식,중식,중국집,부산광역시,중구,남포동,부산광역시 중구 남포길 11,"
    "부산광역시 중구 남포동2가 11,,1,129.0302,35.0981",
    # Short and generic names answer nothing alone.
    "A11,소담,,음식,한식,백반/한정식,부산광역시,중구,남포동,부산광역시 중구 남포길 13,"
    "부산광역시 중구 남포동2가 13,,1,129.0304,35.0982",
    "A12,카페,,음식,비알코올,카페,부산광역시,중구,남포동,부산광역시 중구 남포길 15,"
    "부산광역시 중구 남포동2가 15,,1,129.0306,35.0983",
    # Four restaurants called 경복궁 (the palace must win).
    "A13,경복궁,,음식,한식,돼지고기 구이/찜,부산광역시,연제구,연산4동,부산광역시 연제구 고분로13번길 25,"
    "부산광역시 연제구 연산동 603-7,,1,129.0845,35.1871",
]
SEOUL = [
    "B1,철길부산집,건대점,음식,한식,백반/한정식,서울특별시,광진구,화양동,서울특별시 광진구 능동로 1,"
    "서울특별시 광진구 화양동 1,,1,127.0700,37.5450",
    "B2,모츠커피,,I2,I212,I21201,11,11230,11230560,,155,1.12301E+24,,,127.0539392",
]
CAFES = [
    ",스타벅스,동숭로아트점,음식,커피점/카페,,서울특별시,종로구,이화동,,,,,127.00388,37.58296",
    ",스타벅스,안국점,음식,커피점/카페,,서울특별시,종로구,가회동,,,,,126.98530,37.57700",
    ",스타벅스,,음식,커피점/카페,,경기도,수원시 장안구,조원1동,,,,,127.00900,37.30000",
    ",스타벅스회현역점,회현역점,음식,커피점/카페,,서울특별시,중구,회현동,,,,,126.98000,37.55800",
]
LANDMARKS = [
    ",경복궁,,관광지,,,서울,,,서울특별시 종로구 사직로 161,,,,126.9770017,37.5812384",
    ",경주 첨성대,,관광지,,,경북,,,경상북도 경주시 첨성로 140-25,,,,129.2184186,35.8347116",
    ",수원 화성 [유네스코 세계유산],,관광지,,,경기,,,경기도 수원시 장안구 영화동,,,,127.0132442,37.2914904",
    ",남산서울타워,,관광지,,,서울,,,서울특별시 용산구 남산공원길 105,,,,126.9895865,37.5489249",
]
GYEONGBOKGUNG = (37.5812384, 126.9770017)


def write_sources(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for source, rows in zip(SOURCES, (BUSAN, SEOUL, CAFES, LANDMARKS), strict=True):
        (folder / f"{source}.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venues")
    out = root / "index"
    build(write_sources(root / "source"), out)
    return out


@pytest.fixture(scope="module")
def geocoder(built: Path) -> VenueGeocoder:
    return load_venue_geocoder(built)


def ko(text: str) -> GeocodeQuery:
    return GeocodeQuery(text, "ko")


# ----------------------------------------------------------------- the builder


def test_builder_keeps_the_columns_pind_uses_and_drops_duplicates(
    tmp_path: Path, built: Path
) -> None:
    report = build(write_sources(tmp_path / "source"), tmp_path / "out")
    busan, seoul, cafes, landmarks = report
    assert (busan.read, busan.duplicates, busan.listed_before, busan.written) == (14, 1, 1, 12)
    assert (seoul.other_kind, seoul.written) == (1, 1)  # the row of codes is dropped
    assert (cafes.written, landmarks.written) == (4, 4)
    with gzip.open(tmp_path / "out" / file_name(SOURCES[0]), "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "name", "branch", "group", "kind", "sido", "sigungu", "dong", "road", "lot", "lon", "lat",
    ]  # fmt: skip
    motel = next(r for r in rows if r["name"] == "모텔바다")
    assert (motel["group"], motel["kind"]) == ("AD5", "일반 숙박 > 여관/모텔")
    assert motel["road"] == "남포길 9"  # '부산광역시 중구 ' is in the columns beside it
    cafe = next(r for r in rows if r["name"] == "이디야")
    assert cafe["group"] == "CE7"
    # Rebuilt from the same sources, the files are the same bytes.
    for source in SOURCES:
        assert (tmp_path / "out" / file_name(source)).read_bytes() == (
            built / file_name(source)
        ).read_bytes()


def test_reader_restores_addresses_and_areas(built: Path) -> None:
    records = list(read_records(built))
    assert len(records) == 12 + 1 + 4 + 4
    motel = next(r for r in records if r.name == "모텔바다")
    assert motel.road_address == "부산광역시 중구 남포길 9"
    assert motel.lot_address == "부산광역시 중구 남포동2가 9"
    palace = next(r for r in records if r.name == "경복궁" and r.group == "AT4")
    # TourAPI's '서울' and missing district come from the address.
    assert (palace.sido, palace.sigungu) == ("서울특별시", "종로구")
    assert palace.road_address == "서울특별시 종로구 사직로 161"
    hwaseong = next(r for r in records if r.name.startswith("수원 화성"))
    assert hwaseong.sigungu == "수원시 장안구"
    assert len({r.ref for r in records}) == len(records)


def test_a_missing_index_says_where_it_belongs(tmp_path: Path) -> None:
    with pytest.raises(VenueIndexMissingError, match="PIND_VENUES_DIR"):
        list(read_records(tmp_path))


# ---------------------------------------------------------- the venues geocoder


async def test_a_shared_name_answers_every_venue_of_it(geocoder: VenueGeocoder) -> None:
    results = await geocoder.geocode(ko("진주집"))
    assert len(results) == 3
    assert {r.area.district for r in results} == {"중구", "금정구", "동구"}
    assert {r.score for r in results} == {1.0}  # none preferred: context must choose
    assert {r.category for r in results} == {"restaurant"}
    assert len({r.key for r in results}) == 3


async def test_an_area_before_the_name_narrows_it(geocoder: VenueGeocoder) -> None:
    only = await geocoder.geocode(ko("금정구 진주집"))
    assert [r.area.district for r in only] == ["금정구"]
    # 남포동 has no 진주집: the one in its district (중구) answers.
    near = await geocoder.geocode(ko("남포동 진주집"))
    assert [r.address for r in near] == ["부산광역시 중구 대청로134번길 27"]
    assert len(await geocoder.geocode(ko("부산 진주집"))) == 3
    assert await geocoder.geocode(ko("서울 진주집")) == []


async def test_a_branch_narrows_a_chain_to_it(geocoder: VenueGeocoder) -> None:
    for text in ("스타벅스 동숭로아트점", "스타벅스동숭로아트점", "스타벅스 동숭로아트"):
        results = await geocoder.geocode(ko(text))
        assert [(r.name, r.category) for r in results] == [("스타벅스 동숭로아트점", "cafe")]
    inside = await geocoder.geocode(ko("이디야 광안역점"))
    assert [r.name for r in inside] == ["이디야광안역점"]
    repeated = await geocoder.geocode(ko("스타벅스 회현역점"))
    assert [r.name for r in repeated] == ["스타벅스회현역점"]
    busan = await geocoder.geocode(ko("은화수식당 서면점"))
    assert [r.address for r in busan] == ["부산광역시 부산진구 서전로10번길 53"]


async def test_a_chain_without_branch_is_every_branch(geocoder: VenueGeocoder) -> None:
    starbucks = await geocoder.geocode(ko("스타벅스"))
    assert len(starbucks) == 4
    ediya = await geocoder.geocode(ko("이디야"))
    assert len(ediya) == 3  # 이디야광안역점 is one of them
    # A branch the data does not have is not pinned to another one.
    assert await geocoder.geocode(ko("스타벅스 없는점")) == []


async def test_landmarks_before_same_name_restaurants(geocoder: VenueGeocoder) -> None:
    palace = await geocoder.geocode(ko("경복궁"))
    assert len(palace) == 1 and palace[0].category == "palace"
    assert distance_m(palace[0].lat, palace[0].lon, *GYEONGBOKGUNG) < 1
    assert palace[0].key.startswith("venues:landmark:")
    english = await geocoder.geocode(GeocodeQuery("Gyeongbokgung", "en"))
    assert [r.name for r in english] == ["경복궁"]
    for text in ("첨성대", "경주 첨성대"):
        assert [r.category for r in await geocoder.geocode(ko(text))] == ["landmark"]
    assert [r.name for r in await geocoder.geocode(ko("수원화성"))] == ["수원 화성"]
    assert await geocoder.geocode(ko("화성")) == []  # a city's name, not the fortress
    tower = await geocoder.geocode(ko("남산타워"))
    assert [r.name for r in tower] == ["남산서울타워"] and tower[0].score < 1.0


async def test_words_that_are_not_venue_names(geocoder: VenueGeocoder) -> None:
    assert await geocoder.geocode(ko("소담")) == []  # two letters: a word first
    assert await geocoder.geocode(ko("카페")) == []
    assert await geocoder.geocode(ko("구공반점")) != []  # 반점 ends a name, not a branch
    assert await geocoder.geocode(GeocodeQuery("진주집", "ko", category_hint="station")) == []
    lodging = await geocoder.geocode(ko("모텔바다"))
    assert [r.category for r in lodging] == ["lodging"]


# -------------------------------------------------- the index the repository carries


def test_the_repository_carries_the_index_and_its_sources() -> None:
    assert ExtractionSettings.model_fields["venues_dir"].default == DEFAULT_VENUES_DIR
    present = {p.name for p in DEFAULT_VENUES_DIR.iterdir()}
    assert {file_name(s) for s in SOURCES} | {"SOURCES.md"} <= present
    size = sum((DEFAULT_VENUES_DIR / file_name(s)).stat().st_size for s in SOURCES)
    assert size < 4_000_000  # compact: the full lists are 19 MB
    sources = (DEFAULT_VENUES_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert "공공누리" in sources and "15083033" in sources and "build_venue_index" in sources
    assert "venues" in ExtractionSettings().geocoder_chain


@pytest.fixture(scope="module")
def carried() -> VenueGeocoder:
    return load_venue_geocoder(DEFAULT_VENUES_DIR)


async def test_every_carried_landmark_is_placed_by_its_name(carried: VenueGeocoder) -> None:
    landmarks = [r for r in read_records(DEFAULT_VENUES_DIR) if r.group == "AT4"]
    assert len(landmarks) == 136
    missed = []
    for landmark in landmarks:
        results = await carried.geocode(ko(landmark.name))
        if not any(distance_m(r.lat, r.lon, landmark.lat, landmark.lon) < 100 for r in results):
            missed.append(landmark.name)
    assert missed == []


async def test_carried_index_answers_busan_and_seoul_venues(carried: VenueGeocoder) -> None:
    jinju = await carried.geocode(ko("진주집"))
    assert len(jinju) == 9 and {r.area.province for r in jinju} == {"부산"}
    assert len(await carried.geocode(ko("스타벅스"))) > 661
    art = await carried.geocode(ko("스타벅스 동숭로아트점"))
    assert len(art) == 1 and distance_m(art[0].lat, art[0].lon, 37.58296, 127.00389) < 5


# ------------------------------------------------------------------ in the pipeline


async def test_pipeline_places_a_landmark_and_reports_a_shared_name(
    place_extractor: PlaceExtractor,
) -> None:
    units = [
        TextUnit("title", "경복궁 나들이"),
        TextUnit("description", "부산 진주집에서 점심을 먹었어요"),
    ]
    extraction = await place_extractor.resolve_and_fuse(place_extractor.find_candidates(units))
    palace = next(p for p in extraction.places if p.name == "경복궁")
    assert palace.geocoder == "venues" and palace.category == "palace"
    assert distance_m(palace.lat, palace.lon, *GYEONGBOKGUNG) < 200
    assert not any(p.name == "진주집" for p in extraction.places)
    jinju = next(u for u in extraction.unresolved if "진주집" in u.name)
    assert jinju.reason.startswith("9 places are called")


async def test_context_chooses_among_same_name_venues(carried: VenueGeocoder) -> None:
    # Two 꽃분이네 in Busan (Gijang, and by 국제시장): the video's market chooses.
    gazetteer = GazetteerGeocoder(load_index(DEFAULT_GAZETTEER_DIR))
    text = "부평깡통시장 구경하고 꽃분이네에서 사진 찍었어요"
    unit = TextUnit("description", text)
    candidates = [
        PlaceCandidate(name, unit, text.index(name), text.index(name) + len(name), "ko")
        for name in ("부평깡통시장", "꽃분이네")
    ]
    resolutions = await resolve(candidates, GeocoderChain([gazetteer, carried]))
    market, shop = (r.result for r in resolutions)
    assert market is not None and shop is not None
    assert shop.geocoder == "venues" and resolutions[1].alternatives == 2
    assert shop.address == "부산광역시 중구 국제시장2길 33"
    assert distance_m(shop.lat, shop.lon, market.lat, market.lon) < 1000
