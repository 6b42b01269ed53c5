"""Reads the Korean public place lists (data.go.kr standard data) from CSV.

Files are CP949 as published, except the KMA grid points (UTF-8 with BOM).
Rows without usable coordinates are skipped (the KMA file's 이어도 rows are 0,0)."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import structlog

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.domain.cues import ko_suffix
from pind_geo.domain.gazetteer import GazetteerIndex, GazetteerRecord
from pind_geo.domain.model import AdminArea
from pind_geo.domain.regions import METROPOLITAN, area_of_address, province_short
from pind_geo.errors import GazetteerFormatError, GazetteerMissingError

log = structlog.get_logger(__name__)

MARKETS = "traditional_markets_standard.csv"
STATIONS = "urban_rail_stations_standard.csv"
TOURIST = "tourist_attractions_standard.csv"
PARKS = "urban_parks_standard.csv"
ADMIN = "kma_forecast_grid_admin_points.csv"
FILES = (MARKETS, STATIONS, TOURIST, PARKS, ADMIN)

_KOREA_LAT = (33.0, 39.0)
_KOREA_LON = (124.0, 132.0)


def load_index(directory: Path) -> GazetteerIndex:
    """Read every file of ``directory`` and build the index (logs how long it took)."""
    started = time.perf_counter()
    index = GazetteerIndex.build(read_records(directory))
    stats = index.stats
    log.info(
        "gazetteer.loaded",
        directory=str(directory),
        records=stats.records,
        entries=stats.entries,
        korean_names=stats.korean_names,
        english_names=stats.english_names,
        seconds=round(time.perf_counter() - started, 2),
    )
    return index


def read_records(directory: Path) -> Iterator[GazetteerRecord]:
    if not directory.is_dir():
        raise GazetteerMissingError(str(directory), "no such directory")
    missing = [name for name in FILES if not (directory / name).is_file()]
    if missing:
        raise GazetteerMissingError(str(directory), f"missing {', '.join(missing)}")
    readers: tuple[tuple[str, str, Callable[[int, dict[str, str]], GazetteerRecord | None]], ...]
    readers = (
        (MARKETS, "cp949", _market),
        (STATIONS, "cp949", _station),
        (TOURIST, "cp949", _tourist),
        (PARKS, "cp949", _park),
        (ADMIN, "utf-8-sig", _admin),
    )
    for name, encoding, make in readers:
        with (directory / name).open(encoding=encoding, newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=1):
                try:
                    record = make(number, row)
                except KeyError as exc:
                    raise GazetteerFormatError(f"{name}: no column {exc}") from exc
                if record is not None:
                    yield record


def _point(lat: str, lon: str) -> tuple[float, float] | None:
    try:
        point = float(lat), float(lon)
    except ValueError:
        return None
    inside = (
        _KOREA_LAT[0] <= point[0] <= _KOREA_LAT[1] and _KOREA_LON[0] <= point[1] <= _KOREA_LON[1]
    )
    return point if inside else None


def _address(row: dict[str, str], road: str, lot: str) -> str | None:
    return (row.get(road) or row.get(lot) or "").strip() or None


def _area(address: str | None) -> AdminArea:
    province, district = area_of_address(address)
    return AdminArea(province=province, district=district)


def _market(number: int, row: dict[str, str]) -> GazetteerRecord | None:
    point = _point(row["위도"], row["경도"])
    if point is None:
        return None
    address = _address(row, "소재지도로명주소", "소재지지번주소")
    return GazetteerRecord(
        "market",
        str(number),
        row["시장명"].strip(),
        *point,
        "market",
        kind=row.get("시장유형"),
        address=address,
        area=_area(address),
    )


def _station(number: int, row: dict[str, str]) -> GazetteerRecord | None:
    point = _point(row["역위도"], row["역경도"])
    if point is None:
        return None
    address = (row.get("역사도로명주소") or "").strip() or None
    return GazetteerRecord(
        "station",
        f"{row['역번호']}-{row['노선번호']}",
        row["역사명"].strip(),
        *point,
        "station",
        kind=row.get("노선명"),
        name_en=(row.get("영문역사명") or "").strip() or None,
        address=address,
        area=_area(address),
    )


def _tourist(number: int, row: dict[str, str]) -> GazetteerRecord | None:
    point = _point(row["위도"], row["경도"])
    if point is None:
        return None
    name = row["관광지명"].strip()
    suffix = ko_suffix(name.replace(" ", ""))
    category: PlaceCategory = (
        suffix[1]
        if suffix and suffix[1] not in {"cafe", "restaurant", "bar", "lodging"}
        else "landmark"
    )
    address = _address(row, "소재지도로명주소", "소재지지번주소")
    return GazetteerRecord(
        "tourist",
        str(number),
        name,
        *point,
        category,
        kind=row.get("관광지구분"),
        address=address,
        area=_area(address),
    )


def _park(number: int, row: dict[str, str]) -> GazetteerRecord | None:
    point = _point(row["위도"], row["경도"])
    if point is None:
        return None
    address = _address(row, "소재지도로명주소", "소재지지번주소")
    return GazetteerRecord(
        "park",
        row.get("관리번호") or str(number),
        row["공원명"].strip(),
        *point,
        "park",
        kind=row.get("공원구분"),
        address=address,
        area=_area(address),
    )


def _admin(number: int, row: dict[str, str]) -> GazetteerRecord | None:
    point = _point(row["위도(초/100)"], row["경도(초/100)"])
    if point is None:
        return None
    levels = [row["1단계"].strip(), row["2단계"].strip(), row["3단계"].strip()]
    level = max(i + 1 for i, name in enumerate(levels) if name) if any(levels) else 0
    if level == 0:
        return None
    name = levels[level - 1]
    province = province_short(levels[0])
    category: PlaceCategory
    if level == 1:
        category = "city" if province in METROPOLITAN else "region"
    elif level == 2:
        category = (
            "neighbourhood" if name.endswith("구") else "city" if name.endswith("시") else "region"
        )
    else:
        category = "neighbourhood"
    address = " ".join(n for n in levels if n)
    return GazetteerRecord(
        "admin",
        row["행정구역코드"].strip(),
        name,
        *point,
        category,
        address=address,
        area=AdminArea(province=province, district=levels[1] or None),
        admin_level=level,
    )
