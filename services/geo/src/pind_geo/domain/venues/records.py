"""Rows of the offline venue index: restaurants, cafes, lodging (상가(상권)정보)
and well-known landmarks (TourAPI), as the repository carries them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

KakaoGroup = Literal["FD6", "CE7", "AD5", "AT4"]
"""Kakao Local's category group codes: restaurant, cafe, lodging, landmark."""
KAKAO_GROUPS: tuple[KakaoGroup, ...] = ("FD6", "CE7", "AD5", "AT4")


@dataclass(frozen=True, slots=True)
class VenueRecord:
    """One venue of the index, already decoded (the reader's output)."""

    ref: str
    """Stable id: a digest of name, branch and point (the sources' own ids are
    missing in some files and not unique across them)."""
    source: str
    """The file it comes from (its stem: 'busan_food_lodging_2023')."""
    name: str
    branch: str
    """The branch as the source splits it off ('동숭로아트점'; often empty, and
    often still inside ``name``: '이디야광안역점')."""
    group: KakaoGroup
    kind: str
    """The source's own categories, broad to narrow ('한식 > 백반/한정식')."""
    sido: str
    sigungu: str
    dong: str
    road_address: str
    lot_address: str
    lat: float
    lon: float

    @property
    def address(self) -> str | None:
        return self.road_address or self.lot_address or None

    @property
    def display_name(self) -> str:
        if not self.branch or self.name.replace(" ", "").endswith(self.branch.replace(" ", "")):
            return self.name
        return f"{self.name} {self.branch}"
