"""The searchable index: exact lookups by name key, fuzzy search for OCR
misreadings and romanisation variants."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from pind_geo.domain.cues import KO_TO_EN_SUFFIX, ko_suffix
from pind_geo.domain.gazetteer.names import display_name, dong_base, english_names, korean_names
from pind_geo.domain.gazetteer.records import GazetteerEntry, GazetteerRecord
from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import GeocodeQuery
from pind_geo.domain.text import has_hangul, jamo_key, match_key

# Rows of one dataset with the same name this close are one place (a station
# on three lines, the parts of a numbered neighbourhood).
_SAME_PLACE_M = {"admin": 6000.0}
_SAME_PLACE_DEFAULT_M = 1500.0
_KO_FUZZY_CUTOFF = 90.0
_KO_FUZZY_CUTOFF_OCR = 86.0
_EN_FUZZY_CUTOFF = 88.0
_FUZZY_WEIGHT = 0.85
_DROPPED_PREFIX_SCORE = 0.8
_DROPPED_MIDDLE_SCORE = 0.75
_ADMIN_ENDINGS = frozenset("동구시군읍면")
_EN_SUFFIX_KEYS = tuple(sorted({match_key(v) for v in KO_TO_EN_SUFFIX.values()}, key=len))
_COMPATIBLE = {
    "station": {"station"},
    "market": {"market"},
    "beach": {"beach", "landmark"},
    "park": {"park", "landmark"},
    "palace": {"palace", "landmark", "museum"},
    "museum": {"museum", "landmark"},
    "neighbourhood": {"neighbourhood", "city", "region", "landmark"},
}


@dataclass(frozen=True, slots=True)
class IndexStats:
    records: int
    entries: int
    korean_names: int
    english_names: int


class GazetteerIndex:
    """Places by name. Build once (``build``); ``search`` is read-only and cheap."""

    def __init__(self, entries: list[GazetteerEntry], records: int = 0) -> None:
        self.entries = entries
        self._records = records
        self._ko_exact: dict[str, list[int]] = defaultdict(list)
        self._en_exact: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(entries):
            for key in entry.names_ko:
                self._ko_exact[key].append(i)
            for key in entry.names_en:
                self._en_exact[key].append(i)
        for exact in (self._ko_exact, self._en_exact):
            for key, owners in exact.items():
                # '종로' is 종로구 and (by 종로1.2.3.4가동) a neighbourhood: the wider area wins.
                levels = {entries[i].admin_level for i in owners if entries[i].admin_level}
                if len(levels) > 1:
                    exact[key] = [i for i in owners if entries[i].admin_level in (0, min(levels))]
        self._ko_names = list(self._ko_exact)
        self._ko_jamo = [jamo_key(k) for k in self._ko_names]
        self._en_names = list(self._en_exact)

    @classmethod
    def build(
        cls, records: Iterable[GazetteerRecord], *, namespace: str = "gazetteer"
    ) -> GazetteerIndex:
        """Index rows: clean and expand their names, merge rows that are one
        place. Keys are ``<namespace>:<dataset>:<ref>``."""
        groups: dict[tuple[str, ...], list[list[tuple[GazetteerRecord, set[str]]]]] = defaultdict(
            list
        )
        count = 0
        for record in records:
            count += 1
            names = korean_names(record)
            if not names:
                continue
            display = display_name(record)
            # One place may be in several lists (자갈치시장: a market and a tourist
            # site); the first list read (markets, then stations…) names its key.
            group: tuple[str, ...] = (match_key(display),)
            if record.dataset == "admin":
                group = ("admin", match_key(display), record.area.district or "")
            _add_to_cluster(groups[group], record, names)
        entries = [
            _entry(cluster, namespace) for clusters in groups.values() for cluster in clusters
        ]
        return cls(entries, records=count)

    @property
    def stats(self) -> IndexStats:
        return IndexStats(
            self._records, len(self.entries), len(self._ko_names), len(self._en_names)
        )

    def known_names(self) -> tuple[list[str], list[str]]:
        """Hangul display names of points of interest and every English name
        key, for the extractors' lexicons."""
        korean = sorted({e.name.replace(" ", "") for e in self.entries if e.admin_level == 0})
        return korean, self._en_names

    def search(self, query: GeocodeQuery, limit: int = 25) -> list[tuple[GazetteerEntry, float]]:
        """Places the query may name, with a match score (1.0 exact, lower fuzzy)."""
        key = match_key(query.text)
        if len(key) < 2:
            return []
        korean = has_hangul(key)
        exact = [
            (self.entries[i], 1.0)
            for i in (self._ko_exact if korean else self._en_exact).get(key, [])
        ]
        if korean:
            # A shortened name may be exactly some other place's name: offer both.
            found = exact + self._shortened_korean(key)
            if not exact:
                found += self._fuzzy_korean(key, query, limit)
            return _best_per_entry(found)
        if exact:
            return _best_per_entry(exact + self._shortened_english(key))
        return self._fuzzy_english(key, query, limit)

    def _shortened_english(self, key: str) -> list[tuple[GazetteerEntry, float]]:
        """'Kkangtong Market' for Bupyeong Kkangtong Market: as in Korean, a
        dropped prefix is offered beside the exact match, for context to choose."""
        suffix = next((s for s in _EN_SUFFIX_KEYS if key.endswith(s)), None)
        if suffix is None or len(key) - len(suffix) < 4:
            return []
        return [
            (self.entries[i], _DROPPED_PREFIX_SCORE)
            for name, owners in self._en_exact.items()
            if len(name) > len(key) and name.endswith(key)
            for i in owners
            if not self.entries[i].admin_level
        ]

    def _shortened_korean(self, key: str) -> list[tuple[GazetteerEntry, float]]:
        """Names people shorten: '깡통시장' for 부평깡통시장 (a prefix dropped),
        '남산타워' for 남산N서울타워 (the middle dropped)."""
        suffix = ko_suffix(key)
        if suffix is None or len(key) - len(suffix[0]) < 2:
            return []
        head = key[: -len(suffix[0])]
        found: list[tuple[GazetteerEntry, float]] = []
        for name, owners in self._ko_exact.items():
            if len(name) <= len(key) or not name.endswith(suffix[0]):
                continue
            if name.endswith(key):
                score = _DROPPED_PREFIX_SCORE
            elif name.startswith(head) and head[-1] not in _ADMIN_ENDINGS:
                score = _DROPPED_MIDDLE_SCORE
            else:
                continue
            found.extend(
                (self.entries[i], score) for i in owners if not self.entries[i].admin_level
            )
        return found

    def _fuzzy_korean(
        self, key: str, query: GeocodeQuery, limit: int
    ) -> list[tuple[GazetteerEntry, float]]:
        if len(key) < (3 if query.from_ocr else 4):
            return []
        cutoff = _KO_FUZZY_CUTOFF_OCR if query.from_ocr else _KO_FUZZY_CUTOFF
        suffix = ko_suffix(key)
        found: list[tuple[GazetteerEntry, float]] = []
        for _, score, i in process.extract(
            jamo_key(key), self._ko_jamo, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit
        ):
            name = self._ko_names[i]
            # A misread letter may not turn a market into a station.
            if suffix is not None and ko_suffix(name) != suffix:
                continue
            if abs(len(name) - len(key)) > 1:
                continue
            found.extend(
                (self.entries[j], _FUZZY_WEIGHT * score / 100)
                for j in self._ko_exact[name]
                if _compatible(query, self.entries[j])
            )
        return _best_per_entry(found)

    def _fuzzy_english(
        self, key: str, query: GeocodeQuery, limit: int
    ) -> list[tuple[GazetteerEntry, float]]:
        if len(key) < 6:
            return []
        found: list[tuple[GazetteerEntry, float]] = []
        for name, score, _ in process.extract(
            key, self._en_names, scorer=fuzz.ratio, score_cutoff=_EN_FUZZY_CUTOFF, limit=limit
        ):
            found.extend(
                (self.entries[j], _FUZZY_WEIGHT * score / 100)
                for j in self._en_exact[name]
                if _compatible(query, self.entries[j])
            )
        return _best_per_entry(found)


def _compatible(query: GeocodeQuery, entry: GazetteerEntry) -> bool:
    if query.category_hint is None or query.category_hint not in _COMPATIBLE:
        return True
    return entry.category in _COMPATIBLE[query.category_hint]


def _best_per_entry(
    found: list[tuple[GazetteerEntry, float]],
) -> list[tuple[GazetteerEntry, float]]:
    best: dict[str, tuple[GazetteerEntry, float]] = {}
    for entry, score in found:
        if entry.key not in best or best[entry.key][1] < score:
            best[entry.key] = (entry, score)
    return sorted(best.values(), key=lambda pair: -pair[1])


def _add_to_cluster(
    clusters: list[list[tuple[GazetteerRecord, set[str]]]],
    record: GazetteerRecord,
    names: set[str],
) -> None:
    limit = _SAME_PLACE_M.get(record.dataset, _SAME_PLACE_DEFAULT_M)
    for cluster in clusters:
        first = cluster[0][0]
        if distance_m(first.lat, first.lon, record.lat, record.lon) <= limit:
            cluster.append((record, names))
            return
    clusters.append([(record, names)])


def _entry(cluster: list[tuple[GazetteerRecord, set[str]]], namespace: str) -> GazetteerEntry:
    first = cluster[0][0]
    korean: set[str] = set()
    english: set[str] = set()
    for record, names in cluster:
        korean |= names
        english |= english_names(record, names)
    name = display_name(first)
    if first.dataset == "admin" and dong_base(first.name) and len(cluster) == 1:
        korean.add(name)
    return GazetteerEntry(
        key=f"{namespace}:{first.dataset}:{first.ref}",
        name=name,
        category=first.category,
        # A neighbourhood's parts average to its centre; a station on three
        # lines keeps the point of the row listed first.
        lat=sum(r.lat for r, _ in cluster) / len(cluster) if first.admin_level else first.lat,
        lon=sum(r.lon for r, _ in cluster) / len(cluster) if first.admin_level else first.lon,
        names_ko=frozenset(match_key(n) for n in korean),
        names_en=frozenset(match_key(n) for n in english),
        name_en=next((r.name_en for r, _ in cluster if r.name_en), None),
        address=first.address,
        area=first.area,
        admin_level=first.admin_level,
    )
