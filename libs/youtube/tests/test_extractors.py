"""pind's yt-dlp loads YouTube's video extractor only, and still reads and
downloads from the fake YouTube through it."""

from __future__ import annotations

from pathlib import Path

import yt_dlp

from pind_youtube import recorded
from pind_youtube.ytdlp import ALLOWED_EXTRACTORS


def test_only_the_youtube_extractor_is_loaded() -> None:
    with yt_dlp.YoutubeDL({"quiet": True, "allowed_extractors": ALLOWED_EXTRACTORS}) as ydl:
        assert list(ydl._ies) == ["Youtube"]
        assert ydl.get_info_extractor("Youtube").suitable(
            "https://www.youtube.com/watch?v=pindSeoul01"
        )
    with yt_dlp.YoutubeDL({"quiet": True}) as everything:
        assert len(everything._ies) > 1000  # what the default would load


def test_a_watch_url_is_downloaded_with_youtube_alone(youtube_url: str, tmp_path: Path) -> None:
    params = {
        "quiet": True,
        "no_warnings": True,
        "allowed_extractors": ALLOWED_EXTRACTORS,
        "format": "18",
        "paths": {"home": str(tmp_path)},
        "outtmpl": {"default": "video.%(ext)s"},
    }
    with yt_dlp.YoutubeDL(params) as ydl:
        recorded.register(ydl, youtube_url)
        info = ydl.extract_info("https://www.youtube.com/watch?v=pindSeoul01", download=True)
    assert info["id"] == "pindSeoul01"
    assert (tmp_path / "video.mp4").stat().st_size > 0
