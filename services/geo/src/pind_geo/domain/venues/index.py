"""Venues by name. A name is rarely one place: 진주집 is nine restaurants in
Busan, 스타벅스 661 cafes around Seoul. The index answers every venue of a
name, so that the resolution step can choose by the video's context or say
the name is ambiguous; a branch ('스타벅스 동숭로아트점', '이디야광안역점')
narrows it to that branch. Exact names only: a fuzzy match among 10⁵
business names would find a restaurant for almost any word."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.domain.gazetteer.names import dong_base
from pind_geo.domain.regions import province_aliases, province_short
from pind_geo.domain.romanize import romanize
from pind_geo.domain.text import has_hangul, match_key
from pind_geo.domain.venues.names import BRANCH, brands_of, split_branch, usable
from pind_geo.domain.venues.records import VenueRecord

_MIN_NAME = 3
"""Shortest name (in letters) that answers alone: two-letter names ('진미',
'바다', '소담') are words of the language far more often than a venue."""
# What a name's own words may say it is: a venue answers only names that do
# not say they are something else (a station, a market, a district).
VENUE_HINTS: frozenset[PlaceCategory | None] = frozenset(
    {None, "restaurant", "cafe", "bar", "lodging", "shop", "landmark", "other"}
)


_CHAIN_MIN = 40
"""A name this many venues share is a chain even where no branch is written."""
_ONE_BRANCH = 3
"""More venues than this under one name-with-branch key are a brand's, not a branch's."""
_SAME_VENUE_DEG = 0.0005
"""Rows of one name this close (≈ 50 m) are one venue two source lists repeat."""
_ROMAN_MIN = 6
"""Shortest romanised key (letters) compared: 'Da Nang' is 'danang', no name."""


@dataclass(frozen=True, slots=True)
class VenueHit:
    """A venue the query names; ``branch`` when the query named its branch too."""

    venue: VenueRecord
    branch: bool
    shared: int = 1
    """How many venues answer to the name without a branch."""
    chain: bool = False
    """The name is a chain's (branches in the data, or very many venues)."""


Area = tuple[str, str, str]
"""(province short form, 시군구, 행정동) of a venue; '' where a level is unknown."""


@dataclass(frozen=True, slots=True)
class VenueIndexStats:
    venues: int
    names: int
    """Distinct names a venue answers to without its branch."""
    shared_names: int
    """Of those, names of more than one venue."""
    most_shared: tuple[str, int] | None


class VenueIndex:
    """Venues by name and by name with branch. Build once; ``search`` is
    read-only and cheap (two dictionary lookups)."""

    def __init__(self, venues: Sequence[VenueRecord]) -> None:
        self.venues = tuple(venues)
        brands = brands_of(self.venues)
        self._by_name: dict[str, list[int]] = defaultdict(list)
        self._by_branch: dict[str, list[int]] = defaultdict(list)
        for i, venue in enumerate(self.venues):
            name, branch = split_branch(venue, brands)
            if not usable(name):
                continue
            self._by_name[name].append(i)
            if branch:
                for key in {name + branch, name + branch.removesuffix(BRANCH)}:
                    if key != name:
                        self._by_branch[key].append(i)
        self._areas = _area_words(self.venues)
        # A name with a branch that is also some venue's whole name
        # ('이디야광안역점' written as one word) answers as that venue.
        for key, owners in self._by_branch.items():
            if key in self._by_name:
                owners.extend(i for i in self._by_name.pop(key) if i not in owners)
        branched = Counter(
            split_branch(v, brands)[0] for v in self.venues if split_branch(v, brands)[1]
        )
        self._chains = frozenset(
            name
            for name, owners in self._by_name.items()
            if len(owners) >= _CHAIN_MIN or branched[name] >= 2
        )

    def keys(self) -> frozenset[str]:
        """Every name and name-with-branch the index answers (comparison keys)."""
        return frozenset(self._by_name) | frozenset(self._by_branch)

    def is_chain(self, text: str) -> bool:
        return match_key(text) in self._chains

    @cached_property
    def _romanised(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = defaultdict(list)
        for key in self.keys():
            roman = match_key(romanize(key))
            if len(roman) >= _ROMAN_MIN and not has_hangul(roman):
                table[roman].append(key)
        return table

    def romanised(self, text: str) -> list[str]:
        """The index names (keys) a romanised name stands for ('Geumsu Bokguk' → 금수복국)."""
        key = match_key(text)
        if len(key) < _ROMAN_MIN or has_hangul(key):
            return []
        return list(self._romanised.get(key, ()))

    @property
    def stats(self) -> VenueIndexStats:
        counts = Counter({key: len(owners) for key, owners in self._by_name.items()})
        shared = sum(1 for n in counts.values() if n > 1)
        most = counts.most_common(1)
        return VenueIndexStats(len(self.venues), len(counts), shared, most[0] if most else None)

    def search(self, text: str, category_hint: PlaceCategory | None = None) -> list[VenueHit]:
        """Every venue ``text`` names: the one branch it names, or all venues
        of the name (many when the name is shared). An area before the name
        ('남포동 진주집', '부산 진주집') keeps the venues in it: in that
        neighbourhood, else in its district, else in the province. Empty for a
        branch the index does not know: that branch is not pinned to another."""
        if category_hint not in VENUE_HINTS:
            return []
        if not has_hangul(text):
            return _distinct(
                [hit for key in self.romanised(text) for hit in self._by_name_or_branch(key, None)]
            )
        hits = self._by_name_or_branch(text, category_hint)
        words = text.split()
        if hits or len(words) < 2:
            return _distinct(hits)
        areas = self._areas.get(match_key(words[0]))
        if not areas:
            return []
        return _distinct(
            _in_areas(self._by_name_or_branch(" ".join(words[1:]), category_hint), areas)
        )

    def _by_name_or_branch(self, text: str, category_hint: PlaceCategory | None) -> list[VenueHit]:
        key = match_key(text)
        if not has_hangul(key):
            return []
        branch = self._by_branch.get(key)
        if branch and len(branch) <= _ONE_BRANCH:
            return [VenueHit(self.venues[i], True) for i in branch]
        if branch:  # '이디야커피' is a brand and the branch of none: a name
            chain = len(branch) >= _CHAIN_MIN
            return [VenueHit(self.venues[i], False, len(branch), chain) for i in branch]
        if len(key) < _MIN_NAME and category_hint in (None, "landmark", "other"):
            return []
        owners = self._by_name.get(key, ())
        chain = key in self._chains
        return [VenueHit(self.venues[i], False, len(owners), chain) for i in owners]

    def same_name(self, text: str) -> int:
        """How many venues answer to ``text`` without a branch."""
        return len(self._by_name.get(match_key(text), ()))


def _distinct(hits: list[VenueHit]) -> list[VenueHit]:
    """One hit per venue: two source lists may list the same one, with or
    without its branch, a few metres apart."""
    kept: list[VenueHit] = []
    for hit in hits:
        v = hit.venue
        name = match_key(v.name)
        if not any(
            match_key(k.venue.name) == name
            and abs(k.venue.lat - v.lat) < _SAME_VENUE_DEG
            and abs(k.venue.lon - v.lon) < _SAME_VENUE_DEG
            for k in kept
        ):
            kept.append(hit)
    return kept


def area_of(venue: VenueRecord) -> Area:
    return province_short(venue.sido) or "", venue.sigungu, venue.dong


def _area_words(venues: Iterable[VenueRecord]) -> dict[str, set[Area]]:
    """Words that name an area the venues are in: provinces in all their
    forms ('부산', '부산광역시'), districts ('해운대구', '해운대'), neighbourhoods
    ('범일1동', '범일동'), each with the areas it may mean."""
    words: dict[str, set[Area]] = defaultdict(set)
    for area in {area_of(v) for v in venues}:
        province, district, dong = area
        if not province:
            continue
        for alias in (province, *province_aliases(province)):
            words[match_key(alias)].add((province, "", ""))
        for part in district.split():
            for name in (part, part[:-1] if len(part) > 2 else part):
                words[match_key(name)].add((province, part if part == district else district, ""))
        if dong:
            for name in (dong, dong_base(dong) or dong):
                words[match_key(name)].add(area)
    return words


def _in_areas(hits: list[VenueHit], areas: set[Area]) -> list[VenueHit]:
    """The hits in the most precise of ``areas`` any of them is in."""

    def level(hit: VenueHit) -> int:
        province, district, dong = area_of(hit.venue)
        best = 0
        for want_province, want_district, want_dong in areas:
            if province != want_province:
                continue
            if want_dong and want_dong == dong and want_district == district:
                best = max(best, 3)
            elif want_district and want_district == district:
                best = max(best, 2)
            else:
                best = max(best, 1)
        return best

    levels = [level(hit) for hit in hits]
    top = max(levels, default=0)
    return [hit for hit, lvl in zip(hits, levels, strict=True) if lvl == top and top > 0]
