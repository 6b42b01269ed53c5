"""Reading the gazetteer directory's files: the data.go.kr standard-data CSVs
(markets, urban rail stations, tourist attractions, urban parks; CP949) and the
KMA forecast grid's administrative points (UTF-8 with BOM), each row a place."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pind_fakes.gazetteer.places import GazetteerPlace, PlaceCategory, english_alias, normalise
from pind_fakes.romanize import romanize_title


def _float(value: str | None) -> float | None:
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number != 0 else None


def _read_csv(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding=encoding, newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            yield number, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _keys(*names: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for k in (normalise(n) for n in names if n) if k))


@dataclass(frozen=True, slots=True)
class _PointFile:
    """A standard-data file of named points: which columns hold what."""

    name_column: str
    category: PlaceCategory
    detail_column: str
    prominence: Callable[[dict[str, str]], float]
    split_name_on: str | None = None
    """Also match each part of names such as '남산&N서울타워'."""

    def places(self, path: Path) -> Iterator[GazetteerPlace]:
        for number, row in _read_csv(path, "cp949"):
            lat, lon = _float(row.get("위도")), _float(row.get("경도"))
            name = row.get(self.name_column, "")
            if not name or lat is None or lon is None:
                continue
            name_en = english_alias(name)
            parts = name.split(self.split_name_on) if self.split_name_on else ()
            yield GazetteerPlace(
                key=f"{path.stem}:{number}",
                name=name,
                name_en=name_en,
                category=self.category,
                lat=lat,
                lon=lon,
                address=row.get("소재지도로명주소") or row.get("소재지지번주소", ""),
                detail=row.get(self.detail_column, ""),
                prominence=self.prominence(row),
                match_keys=_keys(name, name_en, *parts),
            )


def _log_scaled(column: str, floor: float, decades: float) -> Callable[[dict[str, str]], float]:
    """Prominence from a size column (stores, area): floor … floor + 0.5 on a log scale."""

    def prominence(row: dict[str, str]) -> float:
        size = _float(row.get(column)) or 0.0
        return floor + 0.5 * min(1.0, math.log10(size + 1) / decades)

    return prominence


_MARKETS = _PointFile("시장명", PlaceCategory.MARKET, "시장유형", _log_scaled("점포수", 0.4, 3.2))
_ATTRACTIONS = _PointFile(
    "관광지명", PlaceCategory.ATTRACTION, "관광지구분", lambda _row: 0.8, split_name_on="&"
)
_PARKS = _PointFile("공원명", PlaceCategory.PARK, "공원구분", _log_scaled("공원면적", 0.2, 6.5))


_LINE_NUMBER = re.compile(r"(\d+호선)$")


def _short_line(line: str) -> str:
    """'서울 도시철도 2호선' → '2호선'; '부산도시철도 1호선' → '부산 1호선'."""
    match = _LINE_NUMBER.search(line)
    if not match:
        return line
    if line.startswith("서울"):
        return match.group(1)
    return f"{line[:2]} {match.group(1)}"


def _stations(path: Path) -> Iterator[GazetteerPlace]:
    seen: set[tuple[str, str, float, float]] = set()
    for number, row in _read_csv(path, "cp949"):
        lat, lon = _float(row.get("역위도")), _float(row.get("역경도"))
        raw = row.get("역사명", "").replace(" ", "")
        if not raw or lat is None or lon is None:
            continue
        line = row.get("노선명", "")
        if (raw, line, lat, lon) in seen:  # some lines list a station twice
            continue
        seen.add((raw, line, lat, lon))
        stem = re.sub(r"역(?=$|\()", "", raw)
        name = raw if "역" in raw else f"{raw}역"
        english = row.get("영문역사명", "") or english_alias(stem)
        name_en = english if "station" in english.casefold() else f"{english} Station"
        transfer = row.get("환승역구분", "") == "환승역"
        yield GazetteerPlace(
            key=f"{path.stem}:{number}",
            name=name,
            name_en=name_en,
            category=PlaceCategory.STATION,
            lat=lat,
            lon=lon,
            address=row.get("역사도로명주소", ""),
            detail=line,
            prominence=0.7 if transfer else 0.6,
            match_keys=_keys(name, f"{stem}역", name_en),
        )


def _admin_areas(path: Path) -> Iterator[GazetteerPlace]:
    for number, row in _read_csv(path, "utf-8-sig"):
        lat, lon = _float(row.get("위도(초/100)")), _float(row.get("경도(초/100)"))
        levels = [row.get(k, "") for k in ("1단계", "2단계", "3단계")]
        levels = [level for level in levels if level]
        if not levels or lat is None or lon is None:
            continue
        depth = len(levels)
        name = levels[-1]
        yield GazetteerPlace(
            key=f"{path.stem}:{number}",
            name=name,
            name_en=romanize_title(name),
            category=PlaceCategory.ADMIN_AREA,
            lat=lat,
            lon=lon,
            address=" ".join(levels),
            detail=("시도", "시군구", "읍면동")[depth - 1],
            prominence=(0.95, 0.75, 0.45)[depth - 1],
            match_keys=_keys(name, romanize_title(name)),
        )


_FILES = (
    ("traditional_markets_standard.csv", _MARKETS.places),
    ("urban_rail_stations_standard.csv", _stations),
    ("tourist_attractions_standard.csv", _ATTRACTIONS.places),
    ("urban_parks_standard.csv", _PARKS.places),
    ("kma_forecast_grid_admin_points.csv", _admin_areas),
)


def read_places(directory: Path) -> list[GazetteerPlace]:
    """Every place of the gazetteer files that ``directory`` holds."""
    places: list[GazetteerPlace] = []
    for filename, reader in _FILES:
        path = directory / filename
        if path.exists():
            places.extend(reader(path))
    return places
