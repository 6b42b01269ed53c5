"""Wiring: settings → gazetteer, extractors → service → worker (+ sweeper)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_geo.adapters.chain import GeocoderChain
from pind_geo.adapters.gazetteer_files import load_index
from pind_geo.adapters.gemini import GeminiConfig, GeminiPlaceNames
from pind_geo.adapters.geocode_cache import (
    CachedGeocoder,
    CacheStore,
    MemoryCacheStore,
    PostgresCacheStore,
)
from pind_geo.adapters.geonames import load_world_index
from pind_geo.adapters.google_places import GooglePlacesGeocoder
from pind_geo.adapters.http_common import Pacer
from pind_geo.adapters.kakao import KakaoLocalGeocoder
from pind_geo.adapters.korean_tagger import korean_extractor, load_location_tagger
from pind_geo.adapters.nominatim import NominatimGeocoder
from pind_geo.adapters.offline_geocoder import GazetteerGeocoder
from pind_geo.adapters.spacy_model import load_spacy, world_is_known
from pind_geo.adapters.transformers_ner import load_recogniser
from pind_geo.adapters.venue_geocoder import load_venue_geocoder
from pind_geo.adapters.world_geocoder import WorldGeocoder
from pind_geo.domain.extraction import CandidateExtractor, CombinedExtractor
from pind_geo.domain.extraction.english import EnglishCandidateExtractor
from pind_geo.domain.extraction.korean_tagger import SequenceTagger
from pind_geo.domain.extraction.spacy_english import SpacyCandidateExtractor
from pind_geo.domain.extraction.token_classifier import Recognise, TokenClassifierExtractor
from pind_geo.domain.extraction.venues import (
    DishAwareExtractor,
    VenueNameExtractor,
    WordReader,
    is_place_dish,
)
from pind_geo.domain.fusion import FusionPolicy
from pind_geo.domain.gazetteer import GazetteerIndex
from pind_geo.domain.model import GeocodeQuery
from pind_geo.domain.pipeline import LanguageModelNames, PlaceExtractor
from pind_geo.domain.resolution import Geocoder
from pind_geo.domain.text import match_key
from pind_geo.domain.venues import VenueIndex
from pind_geo.service import GeoService
from pind_geo.settings import DEFAULT_VENUES_DIR, ExtractionSettings, GeoSettings
from pind_geo.subscribers import GROUP, InputTopics, register
from pind_kit.consume import Worker

log = structlog.get_logger(__name__)


def build_place_extractor(
    gazetteer_dir: Path,
    *,
    venues_dir: Path = DEFAULT_VENUES_DIR,
    world_min_population: int | None = 1000,
    demonyms: bool = False,
    order: Sequence[str] = ("gazetteer", "geonames", "venues"),
    online: Mapping[str, Geocoder] | None = None,
    policy: FusionPolicy | None = None,
    language_model: LanguageModelNames | None = None,
    korean_tagger: SequenceTagger | None = None,
    token_classifier: Recognise | None = None,
) -> PlaceExtractor:
    """Korean gazetteer + kiwi (and the shipped Korean location tagger, or
    ``korean_tagger``), the venue index (when ``order`` names it), GeoNames
    world places + spaCy (≈ 10-20 s on 2 cores, once); geocoders in ``order``
    (``online`` ones by name: they are asked for what the offline ones do not
    know); ``world_min_population`` None leaves the world out."""
    index = load_index(gazetteer_dir)
    _, english_names = index.known_names()
    world = load_world_index(world_min_population) if world_min_population else None
    started = time.perf_counter()
    venue_geocoder = (
        load_venue_geocoder(venues_dir, dongs=index.entries) if "venues" in order else None
    )
    extractors: list[CandidateExtractor] = []
    vet = None
    korean = korean_extractor(index, world, korean_tagger or load_location_tagger())
    if venue_geocoder is not None:
        foreign = world_is_known(world) if world is not None else None
        names = venue_names(
            venue_geocoder.index, index, foreign, venue_geocoder.road_names(), korean.words
        )
        extractors.append(names)
        vet = names.plausible
    extractors.append(korean)
    if world is not None:
        demonym = (lambda word: world.country_of_demonym(word) is not None) if demonyms else None
        extractors.append(
            SpacyCandidateExtractor(load_spacy(), is_known=world_is_known(world), demonym=demonym)
        )
    extractors.append(
        EnglishCandidateExtractor(known_names=english_names, locative_cues=world is None)
    )
    if token_classifier is not None:
        # Last: its spans join where the others found none, by the same fusion.
        extractors.append(TokenClassifierExtractor(token_classifier))
    log.info("extractors ready", seconds=round(time.perf_counter() - started, 2))
    available: dict[str, Geocoder] = {"gazetteer": GazetteerGeocoder(index), **(online or {})}
    if venue_geocoder is not None:
        available["venues"] = venue_geocoder
    if world is not None:
        available["geonames"] = WorldGeocoder(world)
    geocoders = [available[name] for name in order if name in available]
    missing = [name for name in order if name not in available]
    if missing:
        log.warning("geocoders not configured, left out of the chain", geocoders=missing)
    return PlaceExtractor(
        DishAwareExtractor(CombinedExtractor(extractors)),
        GeocoderChain(geocoders),
        policy,
        language_model=language_model,
        vet=vet,
    )


def venue_names(
    venues: VenueIndex,
    gazetteer: GazetteerIndex,
    is_foreign: Callable[[str], bool] | None = None,
    roads: frozenset[str] = frozenset(),
    words: WordReader | None = None,
) -> VenueNameExtractor:
    """The venue-name extractor over the index's names, less those the
    gazetteer knows (자갈치시장 is the market's candidate, not a venue's);
    romanised names the world knows ('Da Nang') are not venues."""
    korean, _ = gazetteer.known_names()

    def is_area(word: str) -> bool:
        return any(
            entry.admin_level in (1, 2) and score >= 0.9
            for entry, score in gazetteer.search(GeocodeQuery(word, "ko"), limit=5)
        )

    return VenueNameExtractor(
        venues.keys() - {match_key(name) for name in korean},
        is_dish=lambda key: is_place_dish(key, is_area),
        romanised=venues.romanised,
        is_foreign=is_foreign or (lambda _: False),
        roads=roads,
        words=words,
    )


def build_from_settings(
    settings: ExtractionSettings,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    policy: FusionPolicy | None = None,
) -> PlaceExtractor:
    """The extractor the settings describe: online geocoders with their keys
    (cached in schema geo when a database is given, else in memory) and Gemini
    when PIND_GEMINI_API_KEY is set."""
    store: CacheStore = (
        PostgresCacheStore(sessionmaker) if sessionmaker is not None else MemoryCacheStore()
    )
    client = httpx.AsyncClient(timeout=settings.geocoder_timeout_s)
    ttl = timedelta(days=settings.geocode_cache_ttl_days)
    online: dict[str, Geocoder] = {}
    if settings.kakao_api_key is not None:
        online["kakao"] = KakaoLocalGeocoder(
            client,
            settings.kakao_api_key.get_secret_value(),
            base_url=settings.kakao_base_url,
            pacer=Pacer(settings.kakao_min_interval_s),
        )
    if settings.google_places_api_key is not None:
        online["google"] = GooglePlacesGeocoder(
            client,
            settings.google_places_api_key.get_secret_value(),
            base_url=settings.google_places_base_url,
            pacer=Pacer(settings.google_places_min_interval_s),
        )
    if "nominatim" in settings.geocoder_chain:
        online["nominatim"] = NominatimGeocoder(
            client,
            settings.nominatim_user_agent,
            base_url=settings.nominatim_base_url,
            pacer=Pacer(settings.nominatim_min_interval_s),
        )
    language_model = None
    if settings.gemini_api_key is not None:
        language_model = GeminiPlaceNames(
            GeminiConfig(
                api_key=settings.gemini_api_key.get_secret_value(),
                model=settings.gemini_model,
                base_url=settings.gemini_base_url,
                timeout_s=settings.gemini_timeout_s,
                chunk_chars=settings.gemini_chunk_chars,
            )
        )
    return build_place_extractor(
        settings.gazetteer_dir,
        venues_dir=settings.venues_dir,
        world_min_population=settings.world_min_population,
        demonyms=settings.demonyms,
        order=settings.geocoder_chain,
        online={name: CachedGeocoder(g, store, ttl=ttl) for name, g in online.items()},
        policy=policy,
        language_model=language_model,
        token_classifier=load_recogniser(settings.ner_model) if settings.ner_model else None,
    )


def build_worker(
    settings: GeoSettings | None = None,
    *,
    extractor: PlaceExtractor | None = None,
    topics: InputTopics | None = None,
    group: str = GROUP,
) -> Worker:
    """The geo worker, ready to ``run()`` (or to start in a test)."""
    settings = settings or GeoSettings()
    worker = Worker(settings)
    service = GeoService(
        extractor or build_from_settings(settings, sessionmaker=worker.sessionmaker),
        producer=settings.service_name,
        expected=settings.expected_inputs,
        deadline_s=settings.gather_deadline_s,
    )
    register(worker, service, topics=topics, group=group)

    @worker.background
    async def sweep_deadlines() -> None:
        while True:
            try:
                while await service.sweep_once(worker.sessionmaker):
                    pass
            except Exception:
                log.exception("deadline sweep failed")
            await asyncio.sleep(settings.sweep_interval_s)

    return worker
