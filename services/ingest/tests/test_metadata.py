from __future__ import annotations

from datetime import date
from typing import Any

from pind_contracts import CaptionTrack, Chapter, Thumbnail
from pind_ingest.domain.metadata import caption_tracks, video_metadata, watch_url

TIMEDTEXT = "https://www.youtube.com/api/timedtext?v=Abc_def-123&lang=ko&fmt={fmt}"


def _formats(name: str, extra: str = "") -> list[dict[str, Any]]:
    return [
        {"ext": f, "url": TIMEDTEXT.format(fmt=f) + extra, "name": name} for f in ("vtt", "json3")
    ]


# The shape yt-dlp gives for a Korean vlog: Korean speech recognition (with its
# "-orig" alias and YouTube's translations), manual English subtitles, a live chat.
INFO: dict[str, Any] = {
    "id": "Abc_def-123",
    "title": "  성수동 카페 투어 ☕ Seongsu cafe tour  ",
    "description": "오늘은 성수동!\n00:00 인트로\n01:30 어니언",
    "duration": 754,
    "channel": "서울 먹방",
    "channel_id": "UCxxxxxxxxxxxxxxxxxxxxxx",
    "uploader": "seoul-mukbang",
    "tags": ["성수동", "카페", "성수동", "", 7],
    "categories": ["Travel & Events"],
    "upload_date": "20250314",
    "thumbnails": [
        {"url": "https://i.ytimg.com/vi/Abc_def-123/default.jpg", "width": 120, "height": 90},
        {"url": "https://i.ytimg.com/vi/Abc_def-123/default.jpg", "width": 120, "height": 90},
        {"url": "https://i.ytimg.com/vi/Abc_def-123/maxresdefault.jpg"},
        {"url": "file:///etc/passwd"},
    ],
    "chapters": [
        {"start_time": 90.0, "end_time": 754.0, "title": "어니언"},
        {"start_time": 0.0, "end_time": 90.0, "title": "인트로"},
        {"start_time": 5.0, "title": None},
    ],
    "location": "성수동, 서울",
    "language": "ko",
    "webpage_url": "https://evil.example/watch?v=Abc_def-123",
    "subtitles": {"en": _formats("English"), "live_chat": [{"ext": "json", "url": "x"}]},
    "automatic_captions": {
        "ko-orig": _formats("Korean (Original)"),
        "ko": _formats("Korean"),
        "en": _formats("English", "&tlang=en"),
        "ja": _formats("Japanese", "&tlang=ja"),
        "fr": [],
    },
}


def test_metadata_is_read_from_the_info_dict() -> None:
    metadata = video_metadata("Abc_def-123", INFO)

    assert metadata.title == "성수동 카페 투어 ☕ Seongsu cafe tour"
    assert metadata.description == "오늘은 성수동!\n00:00 인트로\n01:30 어니언"
    assert metadata.duration_s == 754.0
    assert (metadata.channel, metadata.channel_id) == ("서울 먹방", "UCxxxxxxxxxxxxxxxxxxxxxx")
    assert metadata.tags == ["성수동", "카페"]
    assert metadata.categories == ["Travel & Events"]
    assert metadata.upload_date == date(2025, 3, 14)
    assert metadata.location == "성수동, 서울"
    assert metadata.language == "ko"
    assert metadata.chapters == [
        Chapter(start_s=0.0, end_s=90.0, title="인트로"),
        Chapter(start_s=90.0, end_s=754.0, title="어니언"),
    ]
    assert metadata.thumbnails == [
        Thumbnail(url="https://i.ytimg.com/vi/Abc_def-123/default.jpg", width=120, height=90),
        Thumbnail(url="https://i.ytimg.com/vi/Abc_def-123/maxresdefault.jpg"),
    ]
    # Never the URL the extractor (or anyone) claims: the canonical one.
    assert metadata.webpage_url == watch_url("Abc_def-123")


def test_only_tracks_that_exist_are_reported() -> None:
    assert caption_tracks(INFO) == [
        CaptionTrack(lang="en", kind="manual", name="English"),
        CaptionTrack(lang="ko", kind="generated", name="Korean (Original)"),
    ]


def test_sparse_info_still_gives_valid_metadata() -> None:
    metadata = video_metadata("Abc_def-123", {"id": "Abc_def-123", "upload_date": "2025-03-14"})

    assert metadata.title == "Abc_def-123"
    assert metadata.description == ""
    assert metadata.duration_s is None
    assert metadata.upload_date is None
    assert (metadata.tags, metadata.chapters, metadata.thumbnails) == ([], [], [])
    assert caption_tracks({"subtitles": None, "automatic_captions": None}) == []


def test_channel_falls_back_to_uploader_and_release_date() -> None:
    info = {"uploader": "seoul-mukbang", "release_date": "20240102", "thumbnail": "https://i/x.jpg"}
    metadata = video_metadata("Abc_def-123", info)
    assert metadata.channel == "seoul-mukbang"
    assert metadata.upload_date == date(2024, 1, 2)
    assert metadata.thumbnails == [Thumbnail(url="https://i/x.jpg")]
