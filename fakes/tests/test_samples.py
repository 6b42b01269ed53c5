"""The committed sample vlogs agree with themselves, the gazetteer and yt-dlp."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest
import yt_dlp
from yt_dlp.extractor.youtube import YoutubeIE

from pind_fakes.gazetteer import Gazetteer, normalise
from pind_fakes.settings import FakesSettings

VIDEO_IDS = ("pindSeoul01", "pindHongdae", "pindBusan03")


def _json(directory: Path, name: str) -> Any:
    return json.loads((directory / name).read_text(encoding="utf-8"))


def _boxes(data: bytes, start: int = 0, end: int | None = None):
    end = len(data) if end is None else end
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        if size < 8:
            return
        yield kind.decode("latin-1"), start + 8, start + size
        start += size


def track_summary(path: Path) -> list[tuple[str, int, int]]:
    """(handler, width, height) of every track of an MP4, read from moov/trak boxes."""
    data = path.read_bytes()
    tracks = []
    for kind, body, end in _boxes(data):
        if kind != "moov":
            continue
        for trak, trak_body, trak_end in _boxes(data, body, end):
            if trak != "trak":
                continue
            width = height = 0
            handler = ""
            for child, child_body, child_end in _boxes(data, trak_body, trak_end):
                if child == "tkhd":
                    width, height = struct.unpack(">II", data[child_end - 8 : child_end])
                    width, height = width >> 16, height >> 16
                if child == "mdia":
                    for leaf, leaf_body, _ in _boxes(data, child_body, child_end):
                        if leaf == "hdlr":
                            handler = data[leaf_body + 8 : leaf_body + 12].decode()
            tracks.append((handler, width, height))
    return tracks


@pytest.mark.parametrize("video_id", VIDEO_IDS)
def test_media_files_are_small_real_mp4s(samples_dir: Path, video_id: str) -> None:
    directory = samples_dir / video_id
    video = directory / "video.mp4"
    assert video.stat().st_size <= 2_200_000
    assert track_summary(video) == [("vide", 640, 360), ("soun", 0, 0)]
    assert track_summary(directory / "video_360p.mp4") == [("vide", 640, 360)]
    assert track_summary(directory / "video_144p.mp4") == [("vide", 256, 144)]
    assert track_summary(directory / "audio.m4a") == [("soun", 0, 0)]
    assert b"avc1" in video.read_bytes() and b"mp4a" in video.read_bytes()
    for name in ("thumbnail.jpg", "thumbnail_hq.jpg"):
        assert (directory / name).read_bytes()[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("video_id", VIDEO_IDS)
def test_info_json_is_shaped_like_youtube_extractor_output(
    samples_dir: Path, video_id: str
) -> None:
    directory = samples_dir / video_id
    info = _json(directory, "info.json")
    assert info["id"] == video_id and len(video_id) == 11
    assert 20 <= info["duration"] <= 60
    assert info["availability"] == "public" and info["live_status"] == "not_live"
    assert info["webpage_url"] == f"https://www.youtube.com/watch?v={video_id}"
    assert len(info["upload_date"]) == 8 and info["upload_date"].isdigit()
    assert info["chapters"][0]["start_time"] == 0
    assert info["chapters"][-1]["end_time"] == info["duration"]
    by_id = {f["format_id"]: f for f in info["formats"]}
    assert set(by_id) == {"18", "134", "160", "140"}
    assert by_id["140"]["vcodec"] == "none" and by_id["134"]["acodec"] == "none"
    assert by_id["18"]["vcodec"] != "none" and by_id["18"]["acodec"] != "none"
    files = {
        "18": "video.mp4",
        "134": "video_360p.mp4",
        "160": "video_144p.mp4",
        "140": "audio.m4a",
    }
    for format_id, fmt in by_id.items():
        assert fmt["url"].startswith("{base}/videoplayback?")
        assert fmt["protocol"] == "https"
        assert fmt["filesize"] == (directory / files[format_id]).stat().st_size
    for tracks in (info["subtitles"], info["automatic_captions"]):
        for entries in tracks.values():
            assert {e["ext"] for e in entries} >= {"vtt", "json3", "srv1"}
            assert all(e["url"].startswith("{base}/api/timedtext?") for e in entries)
    assert info["thumbnail"].startswith("{base}/vi/")


def test_caption_situations_differ(samples_dir: Path) -> None:
    def tracks(video_id: str) -> set[tuple[str, str]]:
        captions = _json(samples_dir / video_id, "captions.json")
        return {(t["lang"], t["kind"]) for t in captions["tracks"]}

    assert tracks("pindSeoul01") == {("ko", "manual"), ("ko", "asr")}
    assert tracks("pindHongdae") == {("en", "manual")}
    assert tracks("pindBusan03") == set()
    info = _json(samples_dir / "pindSeoul01", "info.json")
    assert set(info["subtitles"]) == {"ko"}
    assert {"ko", "ko-orig", "en"} <= set(info["automatic_captions"])


def _occurs(names: list[str], text: str) -> bool:
    folded = normalise(text)
    return any(normalise(name) in folded for name in names)


@pytest.mark.parametrize("video_id", VIDEO_IDS)
def test_gold_places_are_backed_by_their_evidence_and_the_gazetteer(
    samples_dir: Path, gazetteer_settings: FakesSettings, video_id: str
) -> None:
    directory = samples_dir / video_id
    gold = _json(directory, "gold.json")
    info = _json(directory, "info.json")
    captions = _json(directory, "captions.json")
    gazetteer = Gazetteer.load(gazetteer_settings.gazetteer_dir)
    assert len(gold["places"]) >= 3
    for place in gold["places"]:
        row = gazetteer.get(place["gazetteer_key"])
        assert row is not None and row.name == place["name"]
        assert (row.lat, row.lon) == (place["lat"], place["lon"])
        names = [place["name"], *place["aliases"]]
        times = []
        for source in place["evidence"]:
            if source == "title":
                assert _occurs(names, info["title"]), (place["name"], source)
            elif source == "description":
                assert _occurs(names, info["description"]), (place["name"], source)
            elif source == "caption":
                hits = [
                    s["start"]
                    for t in captions["tracks"]
                    for s in t["segments"]
                    if _occurs(names, s["text"])
                ]
                assert hits, (place["name"], source)
                times.append(min(hits))
            elif source == "ocr":
                hits = [t["start_s"] for t in gold["on_screen_text"] if _occurs(names, t["text"])]
                assert hits, (place["name"], source)
                times.append(min(hits))
            else:
                pytest.fail(f"unknown evidence source {source}")
        assert place["first_seen_s"] == (min(times) if times else None)
    assert all(t["lang"] in ("ko", "en") for t in gold["on_screen_text"])
    assert max(t["end_s"] for t in gold["on_screen_text"]) == info["duration"]


def test_error_messages_are_the_ones_yt_dlp_composes(samples_dir: Path) -> None:
    scenarios = {s["video_id"]: s for s in _json(samples_dir.parent, "scenarios.json")["scenarios"]}
    with yt_dlp.YoutubeDL({"quiet": True}) as ydl:
        hint = YoutubeIE(ydl)._youtube_login_hint
    # _video.py: reason (+ ". " + subreason); when it mentions signing in, the trailing
    # dot goes and the cookie hint follows.
    assert scenarios["pindPrivat1"]["recorded_error"] == (
        "Private video. Sign in if you've been granted access to this video. " + hint
    )
    assert scenarios["pindAgeGat1"]["recorded_error"] == (
        "Sign in to confirm your age. This video may be inappropriate for some users. " + hint
    )
    assert (
        scenarios["pindBotChk1"]["recorded_error"] == "Sign in to confirm you’re not a bot. " + hint
    )
    assert scenarios["pindTooLong"]["overrides"]["duration"] == 5 * 3600
    for video_id, scenario in scenarios.items():
        assert len(video_id) == 11
        assert scenario.get("recorded_error") or scenario.get("like")
