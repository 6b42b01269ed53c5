"""Configuration of the geo worker (env prefix ``PIND_``)."""

from __future__ import annotations

from pathlib import Path

from pind_kit.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pind_geo.domain.model import INPUT_KINDS, InputKind

# services/geo/src/pind_geo/settings.py → the repository root is four levels up;
# the shared public data sits beside the checkout (../shared/data).
REPO_ROOT = Path(__file__).resolve().parents[4]
DEFAULT_GAZETTEER_DIR = REPO_ROOT.parent / "shared" / "data" / "gazetteer" / "kr"


class ExtractionSettings(BaseSettings):
    """What place extraction alone needs (the batch CLI reads only this)."""

    model_config = SettingsConfigDict(env_prefix="PIND_", extra="ignore", frozen=True)

    gazetteer_dir: Path = Field(
        default=DEFAULT_GAZETTEER_DIR,
        description="Folder of the Korean public place lists (data.go.kr CSVs).",
    )


class GeoSettings(ServiceSettings, ExtractionSettings):
    """Everything the geo worker reads from its environment."""

    service_name: str = "geo"
    db_schema: str = "geo"
    http_port: int = 8104
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
