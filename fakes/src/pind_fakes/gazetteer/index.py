"""The gazetteer as one searchable list: lookup by name, search by query (match
quality, then distance or prominence), names found in free text; loaded once per
directory."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from pind_fakes.gazetteer.files import read_places
from pind_fakes.gazetteer.places import (
    GazetteerPlace,
    Mention,
    PlaceCategory,
    PlaceMatch,
    haversine_m,
    normalise,
)

_HANGUL = re.compile(r"[\uac00-\ud7a3]")


class Gazetteer:
    """All places of the gazetteer directory, with simple search and mention finding."""

    def __init__(self, places: Iterable[GazetteerPlace]) -> None:
        self.places: tuple[GazetteerPlace, ...] = tuple(places)
        self._by_key = {place.key: place for place in self.places}
        self._haystacks = [
            "|".join((*p.match_keys, normalise(p.address), normalise(p.detail)))
            for p in self.places
        ]

    @classmethod
    def load(cls, directory: Path) -> Gazetteer:
        return _load_cached(directory.resolve())

    def get(self, key: str) -> GazetteerPlace | None:
        return self._by_key.get(key)

    def lookup(
        self, name: str, category: PlaceCategory | None = None, detail: str | None = None
    ) -> GazetteerPlace:
        """The best place whose name is exactly ``name``; KeyError when none is."""
        wanted = normalise(name)
        found = [
            p
            for p in self.places
            if wanted in p.match_keys
            and (category is None or p.category == category)
            and (detail is None or p.detail == detail)
        ]
        if not found:
            raise KeyError(name)
        return max(found, key=lambda p: (normalise(p.name) == wanted, p.prominence))

    def search(
        self,
        query: str,
        *,
        categories: Iterable[PlaceCategory] | None = None,
        near: tuple[float, float] | None = None,
        radius_m: float | None = None,
    ) -> list[PlaceMatch]:
        """Places whose name matches the query; every word must match name or address.

        Ordered by match quality, then prominence (or distance when ``near`` is given
        and qualities tie), then name.
        """
        whole = normalise(query)
        words = [w for w in (normalise(t) for t in query.split()) if w]
        if not whole or not words:
            return []
        allowed = set(categories) if categories is not None else None
        matches: list[PlaceMatch] = []
        for place, haystack in zip(self.places, self._haystacks, strict=True):
            if allowed is not None and place.category not in allowed:
                continue
            if not all(w in haystack for w in words):
                continue
            if whole in place.match_keys:
                score = 3.0
            elif any(w in place.match_keys for w in words):
                score = 2.0
            elif any(w in k for w in words for k in place.match_keys):
                score = 1.0
            else:
                continue  # matched the address only
            distance = haversine_m(near[0], near[1], place.lat, place.lon) if near else None
            if radius_m is not None and distance is not None and distance > radius_m:
                continue
            matches.append(PlaceMatch(place, score, distance))
        matches.sort(
            key=lambda m: (
                -m.score,
                m.distance_m if m.distance_m is not None else 0.0,
                -m.place.prominence,
                len(m.place.name),
                m.place.key,
            )
        )
        return matches

    def mentions(self, text: str, *, min_length: int = 3) -> list[Mention]:
        """Gazetteer names (Korean, or their English alias) that occur in ``text``.

        Longest match wins where mentions overlap; one mention per distinct name.
        """
        found: list[Mention] = []
        folded = text.casefold()
        for name, places in self._names_for_mentions(min_length).items():
            start = folded.find(name)
            if start < 0:
                continue
            end = start + len(name)
            # An English alias must sit on word boundaries ("Park" inside "Parking").
            if not _HANGUL.search(name) and not _on_word_boundary(folded, start, end):
                continue
            best = max(places, key=lambda p: p.prominence)
            found.append(Mention(best, start, end, text[start:end]))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for mention in found:
            if any(k.start <= mention.start and mention.end <= k.end for k in kept):
                continue
            kept = [k for k in kept if not (mention.start <= k.start and k.end <= mention.end)]
            kept.append(mention)
        seen: set[str] = set()
        unique = []
        for mention in kept:
            if mention.place.key not in seen:
                seen.add(mention.place.key)
                unique.append(mention)
        return unique

    @functools.cache  # noqa: B019 - one Gazetteer per directory lives for the process
    def _names_for_mentions(self, min_length: int) -> dict[str, list[GazetteerPlace]]:
        names: dict[str, list[GazetteerPlace]] = {}
        for place in self.places:
            if place.category == PlaceCategory.ADMIN_AREA and place.detail == "읍면동":
                continue  # thousands of 동 names collide with ordinary words
            candidates = {place.name, place.name_en}
            if place.category == PlaceCategory.ATTRACTION:
                candidates.update(part for part in place.name.split("&") if part)
            for candidate in candidates:
                folded = candidate.casefold().strip()
                hangul = bool(_HANGUL.search(folded))
                if len(folded) < (min_length if hangul else max(min_length, 6)):
                    continue
                if not hangul and " " not in folded:
                    continue  # single romanised words ("Seoul") are too ambiguous
                names.setdefault(folded, []).append(place)
        return names


def _on_word_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


@functools.cache
def _load_cached(directory: Path) -> Gazetteer:
    places = read_places(directory)
    if not places:
        raise FileNotFoundError(f"no gazetteer CSV files found in {directory}")
    return Gazetteer(places)
