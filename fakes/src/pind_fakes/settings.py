"""Settings of the fakes: env prefix PIND_FAKES_, every value also a CLI flag."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

# fakes/src/pind_fakes/settings.py → the repository root (the workspace is installed
# editable, so the source tree is where the samples are).
REPO_ROOT = Path(__file__).resolve().parents[3]


class FakesSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIND_FAKES_", extra="ignore")

    host: str = "127.0.0.1"
    youtube_port: int = 8900
    gemini_port: int = 8901
    geocoders_port: int = 8902

    samples_dir: Path = REPO_ROOT / "samples" / "vlogs"
    # Error fixtures; default: scenarios.json next to the vlogs directory.
    scenarios_file: Path | None = None
    # The Korean public place lists the repository carries (data/gazetteer/kr/SOURCES.md).
    gazetteer_dir: Path = REPO_ROOT / "data" / "gazetteer" / "kr"
    # The venue index the repository carries (restaurants, cafes, lodging,
    # landmarks; data/poi/kr/SOURCES.md): what Kakao and Google Places answer beside it.
    venues_dir: Path = REPO_ROOT / "data" / "poi" / "kr"

    # Nominatim's usage policy: at most one request per second per client.
    nominatim_min_interval_s: float = 1.0
    # Gemini: scenario used when the API key names none (normal | malformed |
    # rate_limited | unavailable | slow), and how long "slow" stalls.
    gemini_scenario: str = "normal"
    gemini_slow_s: float = 30.0

    @property
    def scenarios_path(self) -> Path:
        return self.scenarios_file or self.samples_dir.parent / "scenarios.json"
