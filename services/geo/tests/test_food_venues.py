"""Venues in food vlogs: names found where the text says they are visited,
dishes named after places left alone, addresses tied to the venue beside
them, chains without a branch not pinned, a language model's invented venue
and branch dropped; and the food sample vlogs scored against their gold
venues (each a row of data/poi/kr)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from pind_fakes import gemini as fake_gemini
from pind_fakes import geocoders as fake_geocoders
from pind_fakes.gemini import HALLUCINATED_VENUE, INVENTED_BRANCH
from pind_fakes.serving import requests_seen, serve
from pind_fakes.settings import FakesSettings
from pind_geo.adapters.chain import GeocoderChain
from pind_geo.adapters.gemini import GeminiConfig, GeminiPlaceNames, render
from pind_geo.adapters.kakao import KakaoLocalGeocoder
from pind_geo.domain.extraction.korean import KiwiCandidateExtractor
from pind_geo.domain.extraction.venues import DishAwareExtractor, VenueNameExtractor
from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import PlaceCandidate, TextUnit
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.domain.text import match_key
from services.geo.tools.samples import sample_vlogs, vlog_units

NAMES = frozenset({"비에뜨반미", "의정부부대찌개", "대림창고", "피자플래넷건대점", "작은카페"})
FOOD = [p for p in sample_vlogs() if "venues" in json.loads((p / "gold.json").read_text())]
# The second held-out pair is scored by make eval alone (its misses are never
# listed): a test naming what it missed would be a way to tune on it.
SCORED = [
    p for p in FOOD if json.loads((p / "gold.json").read_text()).get("held_out_round", 1) == 1
]


def names(text: str, source: str = "transcript") -> list[str]:
    extractor = VenueNameExtractor(NAMES, is_dish=lambda key: key == "의정부부대찌개")
    return [c.text for c in extractor.extract([TextUnit(source, text)])]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "source", "found"),
    [
        ("여기가 비에뜨반미인데요, 반미가 커요.", "transcript", ["비에뜨반미"]),
        ("여기가 대림창고인데요", "transcript", ["대림창고"]),
        ("비에뜨반미 맛있대요", "transcript", []),  # no cue: talk, not a visit
        ("의정부부대찌개 먹을까 고민했어요", "transcript", []),  # a dish
        ("작은 카페에서 쌍화차 마셨어요", "transcript", []),  # a small cafe
        ("피자플래넷 건대점", "ocr", ["피자플래넷 건대점"]),  # a sign, branch and all
        ("📍 비에뜨반미 (건대)", "description", ["비에뜨반미"]),
        ("주소: 서울 광진구 능동로 111", "description", ["서울 광진구 능동로 111"]),
    ],
)
def test_venue_names_where_the_text_says_visit(text: str, source: str, found: list[str]) -> None:
    assert names(text, source) == found


def test_a_sign_with_a_misread_stroke() -> None:
    """Tesseract read the sign '깡통골목 원조비빔당면' as '짱통골목원조비빔당면'."""
    extractor = VenueNameExtractor(NAMES | {"깡통골목원조비빔당면"})
    (found,) = extractor.extract([TextUnit("ocr", "짱통골목원조비빔당면")])
    assert found.known_as == "깡통골목원조비빔당면" and found.text == "짱통골목원조비빔당면"
    assert extractor.extract([TextUnit("transcript", "짱통골목원조비빔당면")]) == []


def test_a_romanised_name_in_english_text() -> None:
    extractor = VenueNameExtractor(
        NAMES, romanised=lambda text: ["금수복국"] if match_key(text) == "geumsubokguk" else []
    )
    unit = TextUnit("transcript", "This is Geumsu Bokguk, famous for pufferfish soup.")
    assert [c.text for c in extractor.extract([unit])] == ["Geumsu Bokguk"]


class _Cities:
    name = "cities"

    def extract(self, units: list[TextUnit]) -> list[PlaceCandidate]:
        unit = units[0]
        start = unit.text.index("춘천")
        return [PlaceCandidate("춘천", unit, start, start + 2, "ko")]


def test_a_city_that_starts_a_dish_is_not_a_place() -> None:
    extractor = DishAwareExtractor(_Cities())
    assert extractor.extract([TextUnit("transcript", "춘천닭갈비 먹었어요")]) == []
    assert len(extractor.extract([TextUnit("transcript", "춘천에 왔어요")])) == 1


async def test_an_address_says_which_of_many_same_name_venues(
    place_extractor: PlaceExtractor,
) -> None:
    units = [
        TextUnit("description", "📍 진주식당: 부산 중구 자갈치로 26"),
        TextUnit("transcript", "자갈치시장 안쪽에 있는 진주식당에서 회백반 먹어요."),
    ]
    extraction = await place_extractor.extract(units)
    venues = [p for p in extraction.places if p.name == "진주식당"]
    assert len(venues) == 1 and venues[0].address == "부산광역시 중구 자갈치로 26"
    why = {r.candidate.text: r.why for r in extraction.resolutions if r.result}
    assert why["진주식당"] == "at the address written beside it; same name ×23"
    assert why["부산 중구 자갈치로 26"] == "the one named beside it of 5 venues at this address"


async def test_a_shared_name_placed_by_the_walk_says_why(place_extractor: PlaceExtractor) -> None:
    units = [
        TextUnit("transcript", "남포역에서 내려서 자갈치시장 구경했어요."),
        TextUnit("transcript", "구포국수에서 물국수 한 그릇 했어요."),
    ]
    extraction = await place_extractor.extract(units)
    picked = [r for r in extraction.resolutions if r.candidate.text == "구포국수"]
    assert picked and picked[0].result is not None
    assert picked[0].why is not None and picked[0].why.startswith("near 자갈치시장, ")
    assert picked[0].why.endswith("same name ×10 in 부산")


async def test_a_chain_without_its_branch_is_not_pinned(place_extractor: PlaceExtractor) -> None:
    units = [
        TextUnit("transcript", "오늘은 성수역에서 카페 투어 시작합니다."),
        TextUnit("transcript", "스타벅스에서 잠깐 쉬었어요."),
    ]
    extraction = await place_extractor.extract(units)
    assert not [p for p in extraction.places if p.name.startswith("스타벅스")]
    chain = [u for u in extraction.unresolved if u.name == "스타벅스"]
    assert chain and "chain" in chain[0].reason


def test_the_food_vlogs_are_there() -> None:
    gold = [json.loads((p / "gold.json").read_text()) for p in FOOD]
    assert len(FOOD) >= 5 and sum(len(g["venues"]) for g in gold) >= 28


@pytest.mark.parametrize("folder", SCORED, ids=[p.name for p in SCORED])
async def test_food_vlog_venues(folder: Path, place_extractor: PlaceExtractor) -> None:
    """Most gold venues placed within 100 m, no distractor placed."""
    gold = json.loads((folder / "gold.json").read_text())
    extraction = await place_extractor.extract(vlog_units(folder))
    found = [
        g
        for g in gold["venues"]
        if any(distance_m(p.lat, p.lon, g["lat"], g["lon"]) <= 100 for p in extraction.places)
    ]
    assert len(found) >= 0.6 * len(gold["venues"]), [g["name"] for g in gold["venues"]]
    distractors = {match_key(n["text"]) for n in gold["not_visits"] if not n["ambiguous"]}
    placed = {match_key(p.name) for p in extraction.places}
    assert not placed & distractors


async def test_kakao_places_one_of_many_by_the_address_beside_it(
    place_extractor: PlaceExtractor,
) -> None:
    """Kakao's first page for '진주식당' (by accuracy, nationwide) lacks the one
    at 자갈치로 26: the address search and a by-distance ask beside it find it."""
    app = fake_geocoders.create_app(FakesSettings(nominatim_min_interval_s=0.0))
    chain = place_extractor.geocoder
    assert isinstance(chain, GeocoderChain)
    offline = [g for g in chain.geocoders if g.name != "venues"]
    async with serve(app) as url, httpx.AsyncClient(timeout=10.0) as client:
        kakao = KakaoLocalGeocoder(client, "test-key", base_url=url)
        extractor = place_extractor.with_geocoder(GeocoderChain([*offline, kakao]))
        extraction = await extractor.extract(
            [
                TextUnit("description", "📍 진주식당: 부산 중구 자갈치로 26"),
                TextUnit("transcript", "진주식당에서 회백반 먹어요."),
            ]
        )
    venue = [p for p in extraction.places if p.name == "진주식당"]
    assert len(venue) == 1 and venue[0].geocoder == "kakao"
    assert venue[0].address == "부산 중구 자갈치로 26"
    asked = [r.path_qs for r in requests_seen(app)]
    assert any(p.startswith("/v2/local/search/address.json") for p in asked)
    assert any("sort=distance" in p and "radius=50" in p for p in asked)


async def test_a_language_models_invented_venue_and_branch_are_dropped(
    place_extractor: PlaceExtractor,
) -> None:
    """The fake Gemini answers like a model: the venues written, plus one the
    text never names and a branch ('본점') the text never writes."""
    app = fake_gemini.create_app(FakesSettings(gemini_scenario="normal"))
    units = [
        TextUnit("transcript", "남포역에서 내려서 자갈치시장 구경했어요.", start_s=1.0),
        TextUnit("transcript", "여기가 18번완당집인데요, 완당이 얇아요.", start_s=6.0),
    ]
    async with serve(app) as url:
        model = GeminiPlaceNames(GeminiConfig(api_key="fake-normal", base_url=url))
        answer = await model._ask(render(units))
        extraction = await place_extractor.with_language_model(model).extract(units)
    named = {p.name: p.branch for p in answer.places}
    assert named[HALLUCINATED_VENUE[0]] is None and named["18번완당집"] == INVENTED_BRANCH
    assert extraction.extractor.startswith("gemini+")
    placed = {p.name: p for p in extraction.places}
    assert HALLUCINATED_VENUE[0] not in placed
    assert placed["18번완당집"].address == "부산광역시 중구 비프광장로 31"  # the 남포동 one
    assert not [p for p in extraction.places if INVENTED_BRANCH in p.name]


@pytest.fixture(scope="module")
def worded() -> VenueNameExtractor:
    """Venue names that are also words, read with kiwi's dictionary."""
    return VenueNameExtractor(
        frozenset({"레스토", "캐스팅", "진주집", "행복하면"}), words=KiwiCandidateExtractor().words
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # A name must end where kiwi ends a word: '레스토' of '레스토랑' is no visit.
        ("레스토랑이라도 열고 싶다", []),
        ("레스토에서 파스타 먹었어요", ["레스토"]),
        # An everyday word needs a strong cue, not '도' or '로' alone.
        ("캐스팅도 괜찮았고 연기도 좋았다", []),
        ("캐스팅에서 커피 마셨어요", ["캐스팅"]),
        ("여기가 캐스팅이에요", ["캐스팅"]),
        # A branch holds a letter: '10점' is a score, '2호점' a branch.
        ("자기가 행복하면 10점 주는 거래요", []),
        ("진주집 2호점 왔어요", ["진주집"]),
    ],
)
def test_venue_names_that_are_words_too(
    worded: VenueNameExtractor, text: str, found: list[str]
) -> None:
    unit = TextUnit("transcript", text)
    assert [c.text for c in worded.extract([unit])] == found
