"""The offline venue index's files (data/poi/kr): gzip-compressed UTF-8 CSV,
one per source, written by ``python -m services.geo.tools.build_venue_index``.

Columns: name, branch, group (Kakao category group: FD6 restaurant, CE7 cafe,
AD5 lodging, AT4 landmark), kind, sido, sigungu, dong, road, lot, lon, lat.
Addresses are stored without their leading '<sido> <sigungu> ' (which the
columns beside them hold): that alone makes the files a fifth smaller."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import cast

import structlog

from pind_geo.domain.regions import province_short
from pind_geo.domain.venues.records import KAKAO_GROUPS, KakaoGroup, VenueRecord
from pind_geo.errors import VenueIndexFormatError, VenueIndexMissingError

log = structlog.get_logger(__name__)

COLUMNS = (
    "name",
    "branch",
    "group",
    "kind",
    "sido",
    "sigungu",
    "dong",
    "road",
    "lot",
    "lon",
    "lat",
)
SOURCES = (
    "busan_food_lodging_2023",
    "seoul_gwangjin_dongdaemun_food_2022",
    "capital_area_cafes_2022",
    "landmarks_tourapi_2023",
)
SUFFIX = ".csv.gz"
COORDINATE_DECIMALS = 6
"""About 0.1 m: finer than any of the sources is right."""


def file_name(source: str) -> str:
    return source + SUFFIX


def venue_ref(name: str, branch: str, lon: str, lat: str) -> str:
    """The stable id of a venue (40 bits of a digest: no collision among 10⁵ rows)."""
    return hashlib.sha256(f"{name}|{branch}|{lon}|{lat}".encode()).hexdigest()[:10]


def address_prefix(sido: str, sigungu: str) -> str:
    return f"{sido} {sigungu} " if sigungu else f"{sido} "


def shorten_address(address: str, sido: str, sigungu: str) -> str:
    prefix = address_prefix(sido, sigungu)
    return address[len(prefix) :] if address.startswith(prefix) else address


def full_address(stored: str, sido: str, sigungu: str) -> str:
    if not stored:
        return ""
    first = stored.split(maxsplit=1)[0]
    return stored if province_short(first) else address_prefix(sido, sigungu) + stored


def write_rows(path: Path, rows: Iterable[dict[str, str]]) -> int:
    """Write rows (dicts of ``COLUMNS``) reproducibly: same rows, same bytes."""
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as packed,
    ):
        packed.write(text.getvalue().encode("utf-8"))
    return count


def read_records(directory: Path) -> Iterator[VenueRecord]:
    if not directory.is_dir():
        raise VenueIndexMissingError(str(directory), "no such directory")
    missing = [file_name(s) for s in SOURCES if not (directory / file_name(s)).is_file()]
    if missing:
        raise VenueIndexMissingError(str(directory), f"missing {', '.join(missing)}")
    for source in SOURCES:
        yield from read_file(directory / file_name(source), source)


def read_file(path: Path, source: str) -> Iterator[VenueRecord]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or set(COLUMNS) - set(reader.fieldnames):
            absent = sorted(set(COLUMNS) - set(reader.fieldnames or ()))
            raise VenueIndexFormatError(f"{path.name}: no column {', '.join(absent)}")
        for number, row in enumerate(reader, start=2):
            group = row["group"]
            if group not in KAKAO_GROUPS:
                raise VenueIndexFormatError(f"{path.name}:{number}: unknown group {group!r}")
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
            except ValueError as exc:
                raise VenueIndexFormatError(f"{path.name}:{number}: {exc}") from exc
            sido, sigungu = row["sido"], row["sigungu"]
            yield VenueRecord(
                ref=venue_ref(row["name"], row["branch"], row["lon"], row["lat"]),
                source=source,
                name=row["name"],
                branch=row["branch"],
                group=cast(KakaoGroup, group),
                kind=row["kind"],
                sido=sido,
                sigungu=sigungu,
                dong=row["dong"],
                road_address=full_address(row["road"], sido, sigungu),
                lot_address=full_address(row["lot"], sido, sigungu),
                lat=lat,
                lon=lon,
            )


def load_records(directory: Path) -> list[VenueRecord]:
    started = time.perf_counter()
    records = list(read_records(directory))
    log.info(
        "venues.read",
        directory=str(directory),
        records=len(records),
        seconds=round(time.perf_counter() - started, 2),
    )
    return records
