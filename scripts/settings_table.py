"""Print every setting of every pind process as a Markdown table (README's
"Settings" section and .env.example are checked against it by a test)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

REPO_ROOT = Path(__file__).resolve().parents[1]
CLASSES = [
    ("all services", "pind_kit.settings", "ServiceSettings"),
    ("auth", "pind_auth.settings", "AuthSettings"),
    ("gateway", "pind_gateway.settings", "GatewaySettings"),
    ("ingest", "pind_ingest.settings", "IngestSettings"),
    ("transcript", "pind_transcript.settings", "TranscriptSettings"),
    ("vision", "pind_vision.settings", "VisionSettings"),
    ("geo", "pind_geo.settings", "GeoSettings"),
    ("fakes", "pind_fakes.settings", "FakesSettings"),
]


def env_name(cls: Any, name: str, info: FieldInfo) -> str:
    alias = info.validation_alias
    if isinstance(alias, str):
        return alias.upper()
    prefix = cls.model_config.get("env_prefix", "")
    return f"{prefix}{name}".upper()


def default_of(info: FieldInfo) -> str:
    if info.default is PydanticUndefined and info.default_factory is None:
        return "**required**"
    if info.default_factory is not None:
        try:
            value = info.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return "(computed)"
    else:
        value = info.default
    if hasattr(value, "get_secret_value"):
        return "(secret)"
    if isinstance(value, Path) and value.is_absolute():
        # Where this machine's checkout or home happens to be is no default.
        if value.is_relative_to(REPO_ROOT):
            return f"`<checkout>/{value.relative_to(REPO_ROOT)}`"
        if value.is_relative_to(Path.home()):
            return f"`~/{value.relative_to(Path.home())}`"
    text = repr(value) if not isinstance(value, str) else value or '""'
    return f"`{text}`" if len(text) < 60 else f"`{text[:57]}…`"


def rows() -> list[tuple[str, str, str, str]]:
    seen: dict[str, str] = {}
    out = []
    base_fields: set[str] = set()
    for who, module, name in CLASSES:
        cls = getattr(importlib.import_module(module), name)
        for field, info in cls.model_fields.items():
            if who != "all services" and field in base_fields and field not in cls.__annotations__:
                continue
            key = env_name(cls, field, info)
            if seen.get(key) == who:
                continue
            seen[key] = who
            description = (info.description or "").replace("|", "\\|").replace("\n", " ")
            out.append((key, who, default_of(info), description))
        if who == "all services":
            base_fields = set(cls.model_fields)
    return out


def main() -> int:
    sys.stdout.write("| variable | used by | default | meaning |\n| --- | --- | --- | --- |\n")
    for key, who, default, description in rows():
        sys.stdout.write(f"| `{key}` | {who} | {default} | {description} |\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
