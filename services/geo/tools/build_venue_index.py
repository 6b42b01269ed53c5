"""`python -m services.geo.tools.build_venue_index`: derive the offline venue index
(data/poi/kr/*.csv.gz) from full venue lists in one common layout
(``source_id, name, branch, category_large, category_mid, category_small, sido,
sigungu, dong, road_address, lot_address, building, floor, lon, lat``).

Keeps what pind uses (name, branch, Kakao category group, the source's
categories, areas, addresses, point), drops rows without a point in Korea or
outside food, cafes, lodging and sights, and exact duplicates; sorts the rows
so that a rebuild from the same sources writes the same bytes.
Options: --source DIR (required: the full lists are not carried by the
repository; data/poi/kr/SOURCES.md says where they come from), --out (default
data/poi/kr)."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pind_geo.adapters.venue_files import (
    COORDINATE_DECIMALS,
    SOURCES,
    file_name,
    shorten_address,
    venue_ref,
    write_rows,
)
from pind_geo.domain.regions import province_short
from pind_geo.domain.venues.records import KakaoGroup
from pind_geo.settings import DEFAULT_VENUES_DIR

SOURCE_COLUMNS = (
    "name",
    "branch",
    "category_large",
    "category_mid",
    "category_small",
    "sido",
    "sigungu",
    "dong",
    "road_address",
    "lot_address",
    "lon",
    "lat",
)
_KOREA_LAT = (33.0, 39.0)
_KOREA_LON = (124.0, 132.0)
_CAFE_KINDS = frozenset({"비알코올", "커피점/카페", "카페"})


@dataclass(slots=True)
class SourceStats:
    source: str
    read: int = 0
    no_point: int = 0
    other_kind: int = 0
    duplicates: int = 0
    """Exact copies after keeping the index's columns."""
    listed_before: int = 0
    """The same venue (name, branch, point) listed again here or in a list read before."""
    written: int = 0


def kakao_group(large: str, mid: str, small: str) -> KakaoGroup | None:
    """The Kakao category group of a row of the 상가(상권)정보 / TourAPI layout."""
    if large == "숙박":
        return "AD5"
    if large == "관광지":
        return "AT4"
    if large == "음식":
        return "CE7" if mid in _CAFE_KINDS or small in _CAFE_KINDS else "FD6"
    return None  # the few rows that carry codes instead of names


def compact_row(row: dict[str, str]) -> dict[str, str] | None:
    """A source row in the index's columns; None for a row pind cannot use."""
    group = kakao_group(row["category_large"], row["category_mid"], row["category_small"])
    if group is None:
        return None
    try:
        lon, lat = float(row["lon"]), float(row["lat"])
    except ValueError:
        return None
    if not (_KOREA_LAT[0] <= lat <= _KOREA_LAT[1] and _KOREA_LON[0] <= lon <= _KOREA_LON[1]):
        return None
    road, lot = row["road_address"].strip(), row["lot_address"].strip()
    sido, sigungu = _areas(row["sido"].strip(), row["sigungu"].strip(), road or lot)
    kinds = [k for k in (row["category_mid"], row["category_small"]) if k.strip()]
    return {
        "name": row["name"].strip(),
        "branch": row["branch"].strip(),
        "group": group,
        "kind": " > ".join(k.strip() for k in kinds) or row["category_large"].strip(),
        "sido": sido,
        "sigungu": sigungu,
        "dong": row["dong"].strip(),
        "road": shorten_address(road, sido, sigungu),
        "lot": shorten_address(lot, sido, sigungu),
        "lon": f"{lon:.{COORDINATE_DECIMALS}f}",
        "lat": f"{lat:.{COORDINATE_DECIMALS}f}",
    }


def _areas(sido: str, sigungu: str, address: str) -> tuple[str, str]:
    """Full 시도 and 시군구 names; TourAPI rows name the province briefly ('서울')
    and no district, which their address holds."""
    words = address.split()
    if words and province_short(words[0]) and province_short(words[0]) == province_short(sido):
        sido = words[0]
    if not sigungu and len(words) > 1 and words[1][-1] in "시군구":
        sigungu = words[1]
        if words[1].endswith("시") and len(words) > 2 and words[2].endswith("구"):
            sigungu = f"{words[1]} {words[2]}"  # 수원시 장안구
    return sido, sigungu


def build_source(path: Path, ids: set[str]) -> tuple[list[dict[str, str]], SourceStats]:
    """Rows of one source list; ``ids`` are the venues already written (the
    Seoul district list and the capital-area cafes share cafes), and grow."""
    stats = SourceStats(path.stem)
    rows: dict[tuple[str, ...], dict[str, str]] = {}
    for row in _read_source(path):
        stats.read += 1
        compact = compact_row(row)
        if compact is None:
            if kakao_group(row["category_large"], row["category_mid"], row["category_small"]):
                stats.no_point += 1
            else:
                stats.other_kind += 1
            continue
        key = tuple(compact.values())
        if key in rows:
            stats.duplicates += 1
            continue
        # The same venue at the same point with another floor or category:
        # one place for pind (the first kept, so lists with addresses win).
        ref = venue_ref(compact["name"], compact["branch"], compact["lon"], compact["lat"])
        if ref in ids:
            stats.listed_before += 1
            continue
        rows[key] = compact
        ids.add(ref)
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            r["sido"],
            r["sigungu"],
            r["dong"],
            r["name"],
            r["branch"],
            r["lon"],
            r["lat"],
        ),
    )
    stats.written = len(ordered)
    return ordered, stats


def _read_source(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        absent = set(SOURCE_COLUMNS) - set(reader.fieldnames or ())
        if absent:
            raise ValueError(f"{path.name}: no column {', '.join(sorted(absent))}")
        for row in reader:
            yield {k: (row.get(k) or "") for k in SOURCE_COLUMNS}


def build(source_dir: Path, out_dir: Path) -> list[SourceStats]:
    """Write one index file per source list found in ``source_dir``."""
    missing = [s for s in SOURCES if not (source_dir / f"{s}.csv").is_file()]
    if missing:
        raise FileNotFoundError(f"{source_dir}: missing {', '.join(f'{s}.csv' for s in missing)}")
    report: list[SourceStats] = []
    ids: set[str] = set()
    for source in SOURCES:
        rows, stats = build_source(source_dir / f"{source}.csv", ids)
        write_rows(out_dir / file_name(source), rows)
        report.append(stats)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.geo.tools.build_venue_index")
    parser.add_argument(
        "--source",
        type=Path,
        required=True,
        help="folder of the full venue lists (see data/poi/kr/SOURCES.md)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_VENUES_DIR)
    args = parser.parse_args(argv)
    try:
        report = build(args.source, args.out)
    except (FileNotFoundError, ValueError) as exc:
        parser.error(str(exc))
    for s in report:
        size = (args.out / file_name(s.source)).stat().st_size
        sys.stdout.write(
            f"{s.source}: read {s.read}, no point in Korea {s.no_point}, other kinds "
            f"{s.other_kind}, exact duplicates {s.duplicates}, listed before {s.listed_before}, "
            f"written {s.written} ({size:,} bytes)\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
