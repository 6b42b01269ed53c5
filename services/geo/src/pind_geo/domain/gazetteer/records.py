"""Rows of the public place lists, and the places the index makes of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.domain.model import AdminArea

Dataset = Literal["market", "station", "tourist", "park", "admin", "landmark"]


@dataclass(frozen=True, slots=True)
class GazetteerRecord:
    """One row of a source file, already decoded (the adapter's output)."""

    dataset: Dataset
    ref: str
    """Stable id of the row within its dataset (station number, admin code, row number)."""
    name: str
    lat: float
    lon: float
    category: PlaceCategory
    kind: str | None = None
    """The source's own type column (e.g. a park's 공원구분)."""
    name_en: str | None = None
    address: str | None = None
    area: AdminArea = field(default_factory=AdminArea)
    admin_level: int = 0


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """A real place in the index, reachable through its names."""

    key: str
    name: str
    category: PlaceCategory
    lat: float
    lon: float
    names_ko: frozenset[str]
    """Comparison keys (``match_key``) of its Hangul names."""
    names_en: frozenset[str]
    """Comparison keys of its romanised / English names."""
    name_en: str | None = None
    address: str | None = None
    area: AdminArea = field(default_factory=AdminArea)
    admin_level: int = 0
