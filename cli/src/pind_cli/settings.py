"""The command's settings: where the API is and where the sign-in is kept."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_config_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_URL = "http://127.0.0.1:8000"


class CliSettings(BaseSettings):
    """``PIND_API_URL`` and ``PIND_CONFIG_DIR`` (options on the command line win)."""

    model_config = SettingsConfigDict(env_prefix="PIND_", extra="ignore")

    api_url: str = Field(
        default=DEFAULT_API_URL, description="The gateway's base URL (the public API)."
    )
    config_dir: Path = Field(
        default_factory=lambda: user_config_path("pind"),
        description="Where `pind login` keeps the access token (~/.config/pind on Linux).",
    )
