"""English text about the world: spaCy's place entities, known names inside
other entities, GeoNames resolution with a population prior and the
countries and regions the text names as context."""

from __future__ import annotations

import pytest

from pind_geo.domain.model import TextUnit
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.domain.world import WorldIndex, WorldPlace, world_key
from pind_geo.extract import BATCH_POLICY, extract_document


@pytest.fixture(scope="module")
def batch(place_extractor: PlaceExtractor) -> PlaceExtractor:
    return place_extractor.with_policy(BATCH_POLICY)


async def places_of(batch: PlaceExtractor, text: str) -> dict[str, dict[str, object]]:
    result = await extract_document(batch, TextUnit("description", text, lang="en"))
    return {text[p["start"] : p["end"]]: p for p in result["places"]}


async def test_news_places_with_offsets(batch: PlaceExtractor) -> None:
    text = (
        "The leaders of Turkey and Russia said the attack in Ankara was an attempt to "
        "disrupt ties. Officials in the United States condemned it."
    )
    found = await places_of(batch, text)
    assert {"Turkey", "Russia", "Ankara", "United States"} <= set(found)
    ankara = found["Ankara"]
    assert ankara["lat"] == pytest.approx(39.92, abs=0.1)
    assert ankara["source"] == "geonames"
    assert text[ankara["start"] : ankara["end"]] == "Ankara"  # type: ignore[index]


async def test_known_place_inside_an_organisation(batch: PlaceExtractor) -> None:
    found = await places_of(batch, "He studied at Texas A&M University for two years.")
    assert "Texas" in found and found["Texas"]["lat"] == pytest.approx(31, abs=2)


async def test_population_prior_and_context(batch: PlaceExtractor) -> None:
    alone = await places_of(batch, "She moved to Paris last year.")
    assert alone["Paris"]["lon"] == pytest.approx(2.35, abs=0.2)
    texan = await places_of(
        batch, "The storm hit Texas on Monday. In Paris, the county seat, roofs were torn off."
    )
    assert texan["Paris"]["lon"] == pytest.approx(-95.55, abs=0.2)


def test_world_index_ranks_by_population_and_keys_ignore_form() -> None:
    index = WorldIndex(
        [
            WorldPlace("a", "Springfield", "city", 39.8, -89.6, "US", "IL", 116_000),
            WorldPlace("b", "Springfield", "city", 37.2, -93.3, "US", "MO", 169_000),
            WorldPlace("c", "Springfield", "city", 44.0, -123.0, "US", "OR", 60),
            WorldPlace("t", "Turkey", "country", 39.0, 35.0, "TR", demonym="Turkish"),
            WorldPlace(
                "us",
                "United States",
                "country",
                39.8,
                -98.5,
                "US",
                "",
                327_000_000,
                demonym="American",
            ),
            WorldPlace("gu", "Guam", "country", 13.4, 144.7, "GU", "", 165_000, demonym="American"),
        ]
    )
    ranked = [p.key for p, _ in index.search("springfield")]
    assert ranked == ["b", "a"]  # the village is too small to compete
    assert world_key("The United States") == world_key("united states")
    turkey = index.country_of_demonym("Turkish")
    assert turkey is not None and turkey.key == "t"
    american = index.country_of_demonym("American")
    assert american is not None and american.key == "us"  # the most populous of the name


async def test_first_level_regions_worldwide_give_context(batch: PlaceExtractor) -> None:
    found = await places_of(
        batch, "Floods cut roads across New South Wales. In Newcastle, hundreds were evacuated."
    )
    assert found["New South Wales"]["lat"] == pytest.approx(-32, abs=2)
    assert found["Newcastle"]["lat"] == pytest.approx(-32.9, abs=0.2)  # not upon Tyne
    abbreviated = await places_of(batch, "Health officials in NSW said the roads were closed.")
    assert abbreviated["NSW"]["key"] == found["New South Wales"]["key"]


async def test_newspaper_state_abbreviations_give_context(batch: PlaceExtractor) -> None:
    found = await places_of(batch, "The crash happened near Georgetown, Ky., on Monday.")
    assert found["Ky."]["name"] == "Kentucky"
    assert found["Georgetown"]["lon"] == pytest.approx(-84.56, abs=0.2)  # not Guyana's


async def test_a_town_and_the_province_of_its_name_are_one_place(batch: PlaceExtractor) -> None:
    found = await places_of(batch, "The delegates met in Moscow on Friday.")
    assert (found["Moscow"]["lat"], found["Moscow"]["lon"]) == (
        pytest.approx(55.75, abs=0.8),
        pytest.approx(37.6, abs=0.8),
    )


def test_codes_name_places_only_in_capitals() -> None:
    index = WorldIndex(
        [WorldPlace("nsw", "New South Wales", "region", -32, 147, "AU", "02", codes=("NSW",))]
    )
    assert [p.key for p, _ in index.search("NSW")] == ["nsw"]
    assert index.search("Nsw") == [] and not index.knows("nsw")
    assert index.knows("Ky.") is False  # no such code in this index
    assert world_key("Democratic Republic of the Congo") == world_key(
        "Democratic Republic of Congo"
    )
