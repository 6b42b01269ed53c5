"""The configurations the venue table compares: the offline default
(gazetteer, GeoNames, the venue index); the fake Kakao Local (served
in-process from the same venue data, on a free port) in place of the venue
index, as a deployment with a Kakao key resolves venues; and that with the
fake Gemini reading names too (it errs like a model: a venue the text never
names, a branch the text never writes)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from pind_fakes import gemini as fake_gemini
from pind_fakes import geocoders as fake_geocoders
from pind_fakes.serving import serve_in_thread
from pind_fakes.settings import FakesSettings
from pind_geo.adapters.chain import GeocoderChain
from pind_geo.adapters.gemini import GeminiConfig, GeminiPlaceNames
from pind_geo.adapters.kakao import KakaoLocalGeocoder
from pind_geo.domain.pipeline import PlaceExtractor

FAKE_KEY = "eval-key"
Configuration = tuple[str, Callable[[httpx.AsyncClient], PlaceExtractor]]
"""A label and the extractor it names, given an HTTP client of the running loop."""


@contextmanager
def venue_configurations(offline: PlaceExtractor) -> Iterator[list[Configuration]]:
    """The configurations to compare; the fake Kakao runs while the block does."""
    chain = offline.geocoder
    if not isinstance(chain, GeocoderChain):
        raise TypeError("the offline extractor should resolve through a GeocoderChain")
    without_venues = [g for g in chain.geocoders if g.name != "venues"]
    settings = FakesSettings(nominatim_min_interval_s=0.0, gemini_scenario="normal")
    app = fake_geocoders.create_app(settings)
    gemini_app = fake_gemini.create_app(settings)
    with serve_in_thread(app) as url, serve_in_thread(gemini_app) as gemini_url:

        def with_kakao(client: httpx.AsyncClient) -> PlaceExtractor:
            kakao = KakaoLocalGeocoder(client, FAKE_KEY, base_url=url)
            return offline.with_geocoder(GeocoderChain([*without_venues, kakao]))

        def with_gemini(client: httpx.AsyncClient) -> PlaceExtractor:
            model = GeminiPlaceNames(GeminiConfig(api_key="fake-normal", base_url=gemini_url))
            return with_kakao(client).with_language_model(model)

        yield [
            ("offline (gazetteer, geonames, venues)", lambda _: offline),
            ("fake Kakao (gazetteer, geonames, kakao)", with_kakao),
            ("fake Gemini + fake Kakao", with_gemini),
        ]
