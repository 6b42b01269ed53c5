"""The project's sample vlogs (samples/vlogs/<id>/) as the geo stage receives
them, for `make eval` and the tests: metadata from info.json, the manual
caption track, and gold.json's on-screen text standing in for OCR output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pind_contracts.events.video_ingested import Chapter, VideoMetadata
from pind_geo.domain.documents import metadata_units
from pind_geo.domain.model import TextUnit
from pind_geo.settings import REPO_ROOT

VLOGS_DIR = REPO_ROOT / "samples" / "vlogs"
GOLD_RADIUS_M = 200.0
"""A found place is a gold place when it lies this close to it (or has its key)."""


def sample_vlogs() -> list[Path]:
    """The sample vlog folders that have a gold list."""
    return sorted(p for p in VLOGS_DIR.glob("*") if (p / "gold.json").exists())


def vlog_units(folder: Path) -> list[TextUnit]:
    """What the geo worker receives for the sample vlog in ``folder``."""
    info: dict[str, Any] = json.loads((folder / "info.json").read_text())
    metadata = VideoMetadata(
        title=info["title"],
        description=info.get("description") or "",
        tags=info.get("tags") or [],
        location=info.get("location"),
        language=info.get("language"),
        chapters=[
            Chapter(start_s=c["start_time"], title=c["title"]) for c in info.get("chapters") or []
        ],
        webpage_url=f"https://www.youtube.com/watch?v={folder.name}",
    )
    units = metadata_units(metadata)
    tracks = json.loads((folder / "captions.json").read_text())["tracks"]
    manual = [t for t in tracks if t["kind"] == "manual"]
    if manual:
        units += [
            TextUnit("transcript", s["text"], start_s=s["start"], lang=manual[0]["lang"])
            for s in manual[0]["segments"]
        ]
    gold = json.loads((folder / "gold.json").read_text())
    if not tracks:
        units += [
            TextUnit("transcript", s["text"], start_s=s["start_s"], lang=info.get("language"))
            for s in gold.get("speech", [])
        ]
    units += [
        TextUnit("ocr", t["text"], start_s=t["start_s"], lang=t.get("lang"))
        for t in gold.get("on_screen_text", [])
    ]
    return units
