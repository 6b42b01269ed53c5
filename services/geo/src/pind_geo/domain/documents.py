"""The text units of an analysis, out of the events that carried them."""

from __future__ import annotations

import re

from pind_contracts.events.transcript_ready import TranscriptReady
from pind_contracts.events.video_ingested import VideoMetadata
from pind_contracts.events.vision_ready import VisionReady
from pind_geo.domain.model import TextUnit

# '03:12 광장시장' or '1:02:03 - 통인시장': a description line that is a chapter.
_TIMESTAMP = re.compile(r"^\s*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\b[\s\-–|.:]*")


def metadata_units(metadata: VideoMetadata) -> list[TextUnit]:
    lang = metadata.language
    units = [TextUnit("title", metadata.title, lang=lang)]
    for line in metadata.description.splitlines():
        if not line.strip():
            continue
        stamp = _TIMESTAMP.match(line)
        start_s = None
        if stamp:
            hours, minutes, seconds = stamp.groups()
            start_s = float(int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds))
        units.append(TextUnit("description", line, start_s=start_s, lang=lang))
    units.extend(
        TextUnit("chapter", chapter.title, start_s=chapter.start_s, lang=lang)
        for chapter in metadata.chapters
    )
    units.extend(TextUnit("tag", tag, lang=lang) for tag in metadata.tags if tag.strip())
    if metadata.location:
        units.append(TextUnit("location", metadata.location, lang=lang))
    return units


def transcript_units(transcript: TranscriptReady) -> list[TextUnit]:
    return [
        TextUnit("transcript", segment.text, start_s=segment.start_s, lang=transcript.language)
        for segment in transcript.segments
        if segment.text.strip()
    ]


def vision_units(vision: VisionReady) -> list[TextUnit]:
    return [
        TextUnit(
            "thumbnail" if text.source == "thumbnail" else "ocr",
            text.text,
            start_s=text.first_seen_s,
            lang=text.lang,
            weight=text.confidence,
        )
        for text in vision.texts
        if text.text.strip()
    ]
