"""`pind-geo extract`: place names in lines of text, for batch runs and evaluation.

Reads JSON lines ``{"id", "text", "lang"?}`` on stdin and writes one line
``{"id", "places": [{"name", "start", "end", "lat", "lon", "confidence",
"source", "key"}], "unresolved": [{"name", "start", "end", "reason"}]}`` per
input, through the same extraction as the worker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import IO, Any

from pind_geo.domain.fusion import FusionPolicy
from pind_geo.domain.mentions import Mention, join_area_chains
from pind_geo.domain.model import TextUnit
from pind_geo.domain.pipeline import PlaceExtractor

BATCH_POLICY = FusionPolicy(emit_admin_levels=frozenset({1, 2, 3}), unresolved_needs_kind=True)
"""Text outside a video: countries, regions and cities are places too."""


class BadInputLine(ValueError):
    """A line of stdin is not a JSON object with a string ``text``."""


def parse_line(line: str, number: int) -> tuple[Any, TextUnit]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadInputLine(f"line {number}: not JSON ({exc.msg})") from exc
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise BadInputLine(f'line {number}: expected {{"id": ..., "text": "..."}}')
    lang = item.get("lang") if isinstance(item.get("lang"), str) else None
    return item.get("id", number), TextUnit("description", item["text"], lang=lang)


async def extract_document(extractor: PlaceExtractor, unit: TextUnit) -> dict[str, Any]:
    """Every mention with its place (or why it has none), in text order."""
    extraction = await extractor.resolve_and_fuse(extractor.find_candidates([unit]))
    confidence = {p.key: p.confidence for p in extraction.places}
    unresolved = {u.name for u in extraction.unresolved}
    mentions: list[Mention[dict[str, Any]]] = []
    for r in sorted(extraction.resolutions, key=lambda r: r.candidate.start):
        c = r.candidate
        if r.result is not None and r.result.key in confidence:
            level = r.result.admin_level
            mentions.append(
                Mention(
                    c.start,
                    c.end,
                    level,
                    {
                        "name": r.result.name,
                        "start": c.start,
                        "end": c.end,
                        "lat": r.result.lat,
                        "lon": r.result.lon,
                        "confidence": confidence[r.result.key],
                        "source": r.result.geocoder,
                        "key": r.result.key,
                        "text": c.text,
                        **({"why": r.why} if r.why else {}),
                    },
                )
            )
        elif r.result is None and c.text in unresolved:
            found = {"name": c.text, "start": c.start, "end": c.end, "reason": r.reason}
            mentions.append(Mention(c.start, c.end, None, found))
    # '일본 나리타공항' is one mention (placed at its most specific part).
    joined = join_area_chains(unit.text, mentions)
    spans = [{**m.payload, "start": m.start, "end": m.end} for m in joined]
    places = [{**s, "text": unit.text[s["start"] : s["end"]]} for s in spans if "key" in s]
    return {"places": places, "unresolved": [s for s in spans if "key" not in s]}


def run(extractor: PlaceExtractor, lines: Iterable[str], out: IO[str]) -> int:
    """Process every line; returns the number of documents written."""
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        doc_id, unit = parse_line(line, number)
        result = asyncio.run(extract_document(extractor, unit))
        out.write(json.dumps({"id": doc_id, **result}, ensure_ascii=False) + "\n")
        out.flush()
        count += 1
    return count
