"""World places by name (countries, first-level regions, cities), for text
that is not about Korea: news, travel outside Korea, English captions.

Lookups are exact on a normalised name (case, accents, punctuation and
'the' ignored); among places of one name the more populous ranks higher
(a prior a geoparser needs: 'Paris' is Paris, France unless the text says
Texas), and the resolution step then prefers places in the countries and
regions the document names."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

WorldKind = Literal["continent", "country", "region", "city"]

_NOT_KEY = re.compile(r"[^0-9a-z\uac00-\ud7a3]+")
_ARTICLE = re.compile(r"\bthe\s+", re.IGNORECASE)
# Score of a name match: countries and continents first, then regions,
# then cities by population (log scale, 10 million → 1.0).
_KIND_SCORE: dict[WorldKind, float] = {
    "continent": 1.0,
    "country": 1.0,
    "region": 0.97,
    "city": 0.96,
}
_CITY_FLOOR = 0.7
_POPULATION_TOP = 7.0
_ALT_NAME_FACTOR = 0.97
_CAPITAL_SHARE = 0.1
_KEEP_WITHIN = 0.12
"""Places scored this far below the best of their name are not offered
(a village called Paris does not compete with the capital)."""


def world_key(text: str) -> str:
    """'The United States', 'united states', 'U.S.' → comparable keys
    ('Republic of the Congo' and 'Republic of Congo' too)."""
    text = _ARTICLE.sub("", text.strip())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_KEY.sub("", unicodedata.normalize("NFC", plain))


@dataclass(frozen=True, slots=True)
class WorldPlace:
    key: str
    name: str
    kind: WorldKind
    lat: float
    lon: float
    country: str
    """ISO 3166-1 alpha-2 ('' for continents)."""
    region: str = ""
    """First-level division code within the country (GeoNames admin1)."""
    population: int = 0
    names: tuple[str, ...] = ()
    """Other names (alternate spellings, short forms, Hangul)."""
    codes: tuple[str, ...] = ()
    """Codes and abbreviations that name it only as written ('USA', 'NSW',
    'Ky.'; not 'Nsw' nor 'ky')."""
    demonym: str | None = None
    """'Turkish' for Turkey: a mention of the people or language of a country
    names it in many corpora (TR-News does, GeoVirus does not)."""

    @property
    def prior(self) -> float:
        base = _KIND_SCORE[self.kind]
        if self.kind != "city":
            return base
        scale = min(1.0, math.log10(max(self.population, 1)) / _POPULATION_TOP)
        return base * (_CITY_FLOOR + (1 - _CITY_FLOOR) * scale)


class WorldIndex:
    """Exact-name index over world places; ``search`` is read-only and cheap."""

    def __init__(self, places: Iterable[WorldPlace]) -> None:
        self.places = list(places)
        self._by_key: dict[str, list[tuple[int, bool]]] = defaultdict(list)
        self._by_code: dict[str, list[tuple[int, bool]]] = defaultdict(list)
        self._demonyms: dict[str, int] = {}
        for i, place in enumerate(self.places):
            if place.demonym:
                # 'American' is the United States, not one of its territories.
                known = self._demonyms.get(demonym := world_key(place.demonym))
                if known is None or self.places[known].population < place.population:
                    self._demonyms[demonym] = i
            seen: set[str] = set()
            for number, name in enumerate((place.name, *place.names)):
                key = world_key(name)
                if len(key) < 2 or key in seen:
                    continue
                seen.add(key)
                self._by_key[key].append((i, number > 0))
            for code in place.codes:
                self._by_code[code].append((i, True))

    def __len__(self) -> int:
        return len(self.places)

    def knows(self, text: str) -> bool:
        return world_key(text) in self._by_key or text.strip() in self._by_code

    def country_of_demonym(self, text: str) -> WorldPlace | None:
        """'Syrian' → Syria; None for words that are no country's demonym."""
        index = self._demonyms.get(world_key(text))
        return self.places[index] if index is not None else None

    def search(self, text: str, *, primary_only: bool = False) -> list[tuple[WorldPlace, float]]:
        """Places called ``text``, best first, with a score in 0..1
        (``primary_only``: by their main name or a listed short form only)."""
        hits = self._by_key.get(world_key(text), []) + self._by_code.get(text.strip(), [])
        if primary_only:
            hits = [(i, alt) for i, alt in hits if not alt or self.places[i].kind != "city"]
        scored = [
            (
                self.places[i],
                self.places[i].prior * (_ALT_NAME_FACTOR if alternate else 1.0),
            )
            for i, alternate in hits
        ]
        if not scored:
            return []
        scored = [(p, s) for p, s in scored if not _named_after_its_city(p, scored)]
        scored.sort(key=lambda pair: (-pair[1], -pair[0].population))
        best = scored[0][1]
        # One entry per place (a place may answer by its name and an alternate name).
        kept: dict[str, tuple[WorldPlace, float]] = {}
        for place, score in scored:
            if score >= best - _KEEP_WITHIN and place.key not in kept:
                kept[place.key] = (place, score)
        return list(kept.values())


def _named_after_its_city(place: WorldPlace, hits: list[tuple[WorldPlace, float]]) -> bool:
    """A province named after a city in it that holds a good share of its
    people ('Ankara', 'Aleppo', 'Lagos'): the name means the city. Not
    'Quebec', whose city is a small part of the province."""
    return (
        place.kind == "region"
        and bool(place.region)
        and any(
            city.kind == "city"
            and (city.country, city.region) == (place.country, place.region)
            and city.population >= _CAPITAL_SHARE * place.population
            for city, _ in hits
        )
    )
