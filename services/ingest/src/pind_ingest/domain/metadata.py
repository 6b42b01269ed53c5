"""yt-dlp's info dict -> our contract's metadata. Pure.

yt-dlp fills ``automatic_captions`` with one entry per language YouTube can
*translate* the speech-recognition track into (more than a hundred), plus
``<lang>-orig`` for the original. Only tracks that exist are reported: an entry
whose URLs ask YouTube to translate (``tlang=``) is not a track of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pind_contracts.events.video_ingested import (
    CaptionTrack,
    Chapter,
    Thumbnail,
    VideoMetadata,
)


def watch_url(video_id: str) -> str:
    """The canonical watch URL; the only form in which a video is ever fetched."""
    return f"https://www.youtube.com/watch?v={video_id}"


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value >= 0 else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strings(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    seen: dict[str, None] = {}
    for item in value:
        if isinstance(item, str) and item.strip():
            seen.setdefault(item.strip(), None)
    return list(seen)


def upload_date(info: Mapping[str, Any]) -> date | None:
    """``upload_date`` (``YYYYMMDD``), else ``release_date``; None when absent or malformed."""
    for key in ("upload_date", "release_date"):
        raw = info.get(key)
        if isinstance(raw, str) and len(raw) == 8 and raw.isdigit():
            try:
                return datetime.strptime(raw, "%Y%m%d").date()  # noqa: DTZ007 - a date, no time
            except ValueError:
                continue
    return None


def chapters(info: Mapping[str, Any]) -> list[Chapter]:
    found: list[Chapter] = []
    for raw in info.get("chapters") or []:
        if not isinstance(raw, Mapping):
            continue
        start, title = _seconds(raw.get("start_time")), _text(raw.get("title"))
        if start is None or title is None:
            continue
        end = _seconds(raw.get("end_time"))
        found.append(
            Chapter(
                start_s=start, end_s=end if end is not None and end >= start else None, title=title
            )
        )
    return sorted(found, key=lambda chapter: chapter.start_s)


def thumbnails(info: Mapping[str, Any]) -> list[Thumbnail]:
    found: dict[str, Thumbnail] = {}
    for raw in info.get("thumbnails") or []:
        if not isinstance(raw, Mapping):
            continue
        url = _text(raw.get("url"))
        if url is None or not url.startswith(("https://", "http://")):
            continue
        found.setdefault(
            url, Thumbnail(url=url, width=_int(raw.get("width")), height=_int(raw.get("height")))
        )
    if not found and (single := _text(info.get("thumbnail"))):
        found[single] = Thumbnail(url=single)
    return list(found.values())


def _is_translation(formats: object) -> bool:
    if not isinstance(formats, list):
        return False
    for fmt in formats:
        url = fmt.get("url") if isinstance(fmt, Mapping) else None
        if isinstance(url, str) and "tlang" in parse_qs(urlsplit(url).query):
            return True
    return False


def _track_name(formats: object) -> str | None:
    if isinstance(formats, list):
        for fmt in formats:
            if isinstance(fmt, Mapping) and (name := _text(fmt.get("name"))):
                return name
    return None


def caption_tracks(info: Mapping[str, Any]) -> list[CaptionTrack]:
    """Manual tracks from ``subtitles``, generated ones from ``automatic_captions``;
    live chat replays and YouTube's machine translations are left out."""
    tracks: list[CaptionTrack] = []
    manual = info.get("subtitles")
    if isinstance(manual, Mapping):
        for lang, formats in manual.items():
            if lang == "live_chat" or not formats:
                continue
            tracks.append(CaptionTrack(lang=lang, kind="manual", name=_track_name(formats)))
    generated = info.get("automatic_captions")
    if isinstance(generated, Mapping):
        for lang, formats in generated.items():
            if lang.endswith("-orig") or not formats or _is_translation(formats):
                continue
            name = _track_name(generated.get(f"{lang}-orig")) or _track_name(formats)
            tracks.append(CaptionTrack(lang=lang, kind="generated", name=name))
    return tracks


def video_metadata(video_id: str, info: Mapping[str, Any]) -> VideoMetadata:
    """The contract's metadata from yt-dlp's info dict of ``video_id``."""
    return VideoMetadata(
        title=_text(info.get("title")) or video_id,
        description=info.get("description") if isinstance(info.get("description"), str) else "",
        duration_s=_seconds(info.get("duration")),
        channel=_text(info.get("channel")) or _text(info.get("uploader")),
        channel_id=_text(info.get("channel_id")) or _text(info.get("uploader_id")),
        tags=_strings(info.get("tags")),
        categories=_strings(info.get("categories")),
        upload_date=upload_date(info),
        thumbnails=thumbnails(info),
        chapters=chapters(info),
        location=_text(info.get("location")),
        language=_text(info.get("language")),
        webpage_url=watch_url(video_id),
    )
