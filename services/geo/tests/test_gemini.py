"""The language-model path against the fake Gemini server (its wire format is
the real API's): a good answer adds candidates; a malformed answer, a 429, a
timeout or a 503 leave the offline extraction to do the work."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from prometheus_client import REGISTRY

from pind_fakes import gemini as fake_gemini
from pind_fakes.serving import requests_seen, serve
from pind_fakes.settings import FakesSettings
from pind_geo.adapters.gemini import (
    GeminiConfig,
    GeminiPlaceNames,
    LlmAnswer,
    LlmPlace,
    chunk_units,
    render,
    to_candidates,
)
from pind_geo.domain.model import TextUnit
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.errors import LanguageModelError

UNITS = [
    TextUnit("title", "서울 시장 투어: 광장시장 빈대떡"),
    TextUnit("transcript", "여기는 광장시장이에요 빈대떡이 유명해요", start_s=12.0),
    TextUnit("transcript", "다음은 통인시장으로 갑니다", start_s=95.0),
]


@pytest.fixture(scope="module")
def fake_app() -> web.Application:
    return fake_gemini.create_app(FakesSettings(gemini_slow_s=5.0))


@pytest.fixture
async def gemini_url(fake_app: web.Application) -> AsyncIterator[str]:
    async with serve(fake_app) as url:
        yield url


def names(url: str, scenario: str, timeout_s: float = 5.0) -> GeminiPlaceNames:
    return GeminiPlaceNames(
        GeminiConfig(
            api_key=f"fake-{scenario}", base_url=url, model="gemini-2.5-flash", timeout_s=timeout_s
        )
    )


async def test_good_answer_gives_candidates_in_the_text(
    gemini_url: str, fake_app: web.Application
) -> None:
    model = {"model": "gemini-2.5-flash"}
    prompt_tokens = _counted("pind_gemini_tokens_total", kind="prompt", **model)
    answered = _counted("pind_gemini_requests_total", outcome="answered", **model)
    found = await names(gemini_url, "normal").candidates(UNITS)
    texts = {c.text for c in found}
    # geo's /metrics: one answer, its tokens counted.
    assert _counted("pind_gemini_requests_total", outcome="answered", **model) == answered + 1
    assert _counted("pind_gemini_tokens_total", kind="prompt", **model) > prompt_tokens
    assert {"광장시장", "통인시장"} <= texts
    market = next(c for c in found if c.text == "통인시장")
    # Offsets point into the unit that holds the name; its time is the unit's.
    assert market.unit.text[market.start : market.end] == "통인시장"
    assert market.unit.start_s == 95.0
    sent = [r for r in requests_seen(fake_app) if r.path_qs.endswith(":generateContent")]
    assert sent and sent[-1].headers.get("x-goog-api-key") == "fake-normal"


async def test_extractor_uses_the_model_and_geocodes_its_names(
    gemini_url: str, place_extractor: PlaceExtractor
) -> None:
    extractor = place_extractor.with_language_model(names(gemini_url, "normal"))
    extraction = await extractor.extract(UNITS)
    assert extraction.extractor.startswith("gemini+")
    tongin = next(p for p in extraction.places if p.name == "통인시장")
    # Coordinates come from the gazetteer, not from the model.
    assert tongin.geocoder == "gazetteer"
    assert tongin.lat == pytest.approx(37.58, abs=0.01)


@pytest.mark.parametrize("scenario", ["malformed", "rate_limited", "unavailable"])
async def test_failures_raise_a_typed_error(gemini_url: str, scenario: str) -> None:
    outcome = "unreadable" if scenario == "malformed" else "failed"
    labels = {"model": "gemini-2.5-flash", "outcome": outcome}
    before = _counted("pind_gemini_requests_total", **labels)
    with pytest.raises(LanguageModelError):
        await names(gemini_url, scenario).candidates(UNITS)
    assert _counted("pind_gemini_requests_total", **labels) == before + 1


def _counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize("scenario", ["malformed", "rate_limited", "slow"])
async def test_failures_fall_back_to_offline(
    gemini_url: str, place_extractor: PlaceExtractor, scenario: str
) -> None:
    extractor = place_extractor.with_language_model(names(gemini_url, scenario, timeout_s=0.5))
    extraction = await extractor.extract(UNITS)
    assert extraction.extractor == place_extractor.name  # offline only
    assert {"광장시장", "통인시장"} <= {p.name for p in extraction.places}


def test_long_transcripts_are_chunked() -> None:
    units = [TextUnit("transcript", "가" * 900, start_s=float(i)) for i in range(40)]
    chunks = chunk_units(units, 5000)
    assert len(chunks) > 1 and sum(len(c) for c in chunks) == 40
    assert all(len(render(c)) <= 5000 for c in chunks)
    assert "[transcript 0:00:39]" in render(chunks[-1])


def test_names_are_found_in_ocr_spacing() -> None:
    sign = TextUnit("ocr", "광 장 시 장 먹자골목", start_s=30.0)
    answer = LlmAnswer(places=[LlmPlace(name="광장시장", evidence="광장시장", category="market")])
    [candidate] = to_candidates(answer, [sign])
    assert (candidate.start, candidate.end) == (0, 7) and candidate.category_hint == "market"
    invented = LlmAnswer(places=[LlmPlace(name="남대문시장", evidence="남대문시장")])
    assert to_candidates(invented, [sign]) == []
