"""Choosing among same-named places, and fusing mentions into places,
with a geocoder of our own port answering from a table."""

from __future__ import annotations

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.domain.fusion import combined_confidence, fuse
from pind_geo.domain.model import (
    AdminArea,
    GeocodeQuery,
    GeocodeResult,
    PlaceCandidate,
    TextUnit,
)
from pind_geo.domain.resolution import resolve
from pind_geo.domain.text import match_key


def result(
    key: str,
    name: str,
    lat: float,
    lon: float,
    province: str,
    *,
    district: str | None = None,
    category: PlaceCategory = "market",
    admin_level: int = 0,
) -> GeocodeResult:
    return GeocodeResult(
        key=key,
        name=name,
        category=category,
        lat=lat,
        lon=lon,
        score=1.0,
        geocoder="table",
        area=AdminArea(province, district),
        admin_level=admin_level,
    )


class TableGeocoder:
    name = "table"

    def __init__(self, table: dict[str, list[GeocodeResult]]) -> None:
        self.table = {match_key(k): v for k, v in table.items()}
        self.asked: list[GeocodeQuery] = []

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        self.asked.append(query)
        return self.table.get(match_key(query.text), [])


GWANGJANG = result("m:1", "광장시장", 37.5701, 126.9997, "서울", district="종로구")
TONGIN_SEOUL = result("m:2", "통인시장", 37.5808, 126.9699, "서울", district="종로구")
TONGIN_ELSEWHERE = result("m:3", "통인시장", 35.87, 128.59, "대구")
BUSAN = result("a:1", "부산광역시", 35.17, 129.07, "부산", category="city", admin_level=1)
JUNGANG_BUSAN = result("m:4", "중앙시장", 35.10, 129.03, "부산")
JUNGANG_DAEGU = result("m:5", "중앙시장", 35.87, 128.59, "대구")


def mention(
    text: str,
    source: str = "transcript",
    start_s: float | None = 1.0,
    script: str = "ko",
    cue: bool = True,
) -> PlaceCandidate:
    unit = TextUnit(source, f"여기는 {text}", start_s=start_s)  # type: ignore[arg-type]
    return PlaceCandidate(text, unit, 4, 4 + len(text), script, None, cue, True)  # type: ignore[arg-type]


async def test_same_name_resolved_near_the_other_places() -> None:
    geocoder = TableGeocoder(
        {"광장시장": [GWANGJANG], "통인시장": [TONGIN_ELSEWHERE, TONGIN_SEOUL]}
    )
    resolutions = await resolve([mention("광장시장"), mention("통인시장")], geocoder)
    assert [r.result for r in resolutions] == [GWANGJANG, TONGIN_SEOUL]


async def test_same_name_resolved_in_the_named_region() -> None:
    geocoder = TableGeocoder({"부산": [BUSAN], "중앙시장": [JUNGANG_DAEGU, JUNGANG_BUSAN]})
    resolutions = await resolve([mention("부산", "title"), mention("중앙시장")], geocoder)
    assert resolutions[1].result == JUNGANG_BUSAN


async def test_same_name_without_context_stays_unresolved() -> None:
    geocoder = TableGeocoder({"중앙시장": [JUNGANG_DAEGU, JUNGANG_BUSAN]})
    (resolution,) = await resolve([mention("중앙시장")], geocoder)
    assert resolution.result is None
    assert resolution.reason and "2 places" in resolution.reason
    places, unresolved = fuse([resolution])
    assert places == [] and [u.name for u in unresolved] == ["중앙시장"]


async def test_one_query_per_distinct_name() -> None:
    geocoder = TableGeocoder({"광장시장": [GWANGJANG]})
    await resolve([mention("광장시장"), mention("광장시장", "title", None)], geocoder)
    assert len(geocoder.asked) == 1


async def test_mentions_across_sources_and_languages_fuse_into_one_place() -> None:
    geocoder = TableGeocoder({"광장시장": [GWANGJANG], "Gwangjang Market": [GWANGJANG]})
    resolutions = await resolve(
        [
            mention("광장시장", "title", None),
            mention("광장시장", "transcript", 7.5),
            mention("Gwangjang Market", "ocr", 8.0, script="en"),
        ],
        geocoder,
    )
    places, unresolved = fuse(resolutions)
    assert unresolved == []
    (place,) = places
    assert (place.key, place.lat, place.lon) == ("m:1", 37.5701, 126.9997)
    assert [e.source for e in place.evidence] == ["title", "transcript", "ocr"]
    assert [e.start_s for e in place.evidence] == [None, 7.5, 8.0]
    single = combined_confidence(resolutions[1:2])
    assert place.confidence > single


async def test_short_form_joins_the_place_it_starts() -> None:
    beach = result("t:1", "해운대해수욕장", 35.1591, 129.1603, "부산", category="beach")
    district = result(
        "a:2", "해운대구", 35.1631, 129.1636, "부산", category="neighbourhood", admin_level=2
    )
    geocoder = TableGeocoder({"해운대해수욕장": [beach], "해운대": [district]})
    resolutions = await resolve([mention("해운대해수욕장", "title"), mention("해운대")], geocoder)
    assert [r.result and r.result.key for r in resolutions] == ["t:1", "t:1"]


async def test_unresolved_needs_a_proper_noun_with_a_place_cue() -> None:
    geocoder = TableGeocoder({})
    resolutions = await resolve([mention("민지", cue=False), mention("명동교자")], geocoder)
    places, unresolved = fuse(resolutions)
    assert places == []
    assert [u.name for u in unresolved] == ["명동교자"]
    assert all(u.reason for u in unresolved)


def world_town(key: str, lat: float, lon: float, *, context: bool = False) -> GeocodeResult:
    return GeocodeResult(
        key=key,
        name="Springfield",
        category="city",
        lat=lat,
        lon=lon,
        score=0.9,
        geocoder="table",
        area=AdminArea("US"),
        admin_level=2,
        context=context,
    )


async def test_one_of_the_worlds_towns_of_a_name_is_the_best_known() -> None:
    best_known, other = world_town("w:1", 37.2, -93.3), world_town("w:2", 39.8, -89.6)
    (resolution,) = await resolve(
        [mention("Springfield", script="en")],
        TableGeocoder({"Springfield": [best_known, other]}),
    )
    assert resolution.result == best_known


async def test_a_town_and_its_province_of_one_name_are_one_choice() -> None:
    town = world_town("w:1", 55.75, 37.62)
    province = world_town("w:2", 55.5, 38.0, context=True)
    far_province = world_town("w:3", 46.0, 40.0, context=True)
    (near,) = await resolve(
        [mention("Moscow", script="en")], TableGeocoder({"Moscow": [town, province]})
    )
    assert near.result == town
    (far,) = await resolve(
        [mention("Moscow", script="en")], TableGeocoder({"Moscow": [town, far_province]})
    )
    assert far.result is None
