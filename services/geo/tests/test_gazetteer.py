"""The gazetteer index, built from hand-made rows shaped like the public files."""

from __future__ import annotations

import pytest

from pind_geo.domain.gazetteer import GazetteerIndex, GazetteerRecord
from pind_geo.domain.model import AdminArea, GeocodeQuery

SEOUL = AdminArea("서울", "종로구")


@pytest.fixture(scope="module")
def index() -> GazetteerIndex:
    return GazetteerIndex.build(
        [
            GazetteerRecord("market", "1", "광장시장", 37.5701, 126.9997, "market", area=SEOUL),
            GazetteerRecord("market", "2", "중앙시장", 37.75, 128.89, "market"),
            GazetteerRecord("market", "3", "중앙시장", 35.87, 128.59, "market"),
            GazetteerRecord("market", "4", "부평깡통시장", 35.1013, 129.0257, "market"),
            GazetteerRecord(
                "station",
                "10-1",
                "종로3가",
                37.5714,
                126.9913,
                "station",
                name_en="Jongno 3(sam)-ga",
            ),
            # The same station on another line, 80 m away: one place.
            GazetteerRecord(
                "station",
                "10-3",
                "종로3가",
                37.5718,
                126.9920,
                "station",
                name_en="Jongno 3(sam)-ga",
            ),
            GazetteerRecord(
                "station", "20-2", "홍대입구", 37.557, 126.925, "station", name_en="Hongik Univ."
            ),
            GazetteerRecord("park", "p1", "새싹", 37.5, 127.0, "park", kind="어린이공원"),
            GazetteerRecord("park", "p2", "효창공원", 37.5443, 126.9593, "park", kind="근린공원"),
            GazetteerRecord(
                "admin",
                "a1",
                "성수1가제1동",
                37.5447,
                127.0470,
                "neighbourhood",
                area=AdminArea("서울", "성동구"),
                admin_level=3,
            ),
            GazetteerRecord(
                "admin",
                "a2",
                "성수2가제3동",
                37.5400,
                127.0560,
                "neighbourhood",
                area=AdminArea("서울", "성동구"),
                admin_level=3,
            ),
        ]
    )


def names(index: GazetteerIndex, text: str, script: str = "ko", **kw: object) -> list[str]:
    query = GeocodeQuery(text, script, **kw)  # type: ignore[arg-type]
    return [entry.name for entry, _ in index.search(query)]


def test_exact_names_and_written_forms(index: GazetteerIndex) -> None:
    assert names(index, "광장시장") == ["광장시장"]
    assert names(index, "종로3가역") == ["종로3가역"]  # one entry for two lines
    assert names(index, "종로3가") == []  # a bare station name is not an alias
    assert names(index, "성수동") == ["성수동"]  # numbered parts merged
    assert len(names(index, "중앙시장")) == 2


def test_romanised_names(index: GazetteerIndex) -> None:
    assert names(index, "Gwangjang Market", "en") == ["광장시장"]
    assert names(index, "Jongno 3-ga Station", "en") == ["종로3가역"]
    assert names(index, "Hongik University Station", "en") == ["홍대입구역"]
    assert names(index, "Seongsu-dong", "en") == ["성수동"]
    assert names(index, "Hyochang Park", "en") == ["효창공원"]


def test_ocr_misreads_and_shortened_names(index: GazetteerIndex) -> None:
    assert names(index, "광장시짱", from_ocr=True) == ["광장시장"]
    assert names(index, "깡통시장") == ["부평깡통시장"]
    assert names(index, "광장역", from_ocr=True) == []  # a misread may not change the kind


def test_small_parks_named_after_words_are_not_indexed(index: GazetteerIndex) -> None:
    assert names(index, "새싹") == []


def test_neighbourhood_centre_is_the_mean_of_its_parts(index: GazetteerIndex) -> None:
    ((entry, _),) = index.search(GeocodeQuery("성수동", "ko"))
    assert entry.lat == pytest.approx((37.5447 + 37.5400) / 2)
