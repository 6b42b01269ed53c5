"""Make the sample "vlogs" that the fake YouTube serves, and their gold answers.

Run from the repository root (needs `ffmpeg` and `fonts-nanum` from apt):

    uv run python samples/make_vlogs.py                 # everything
    uv run python samples/make_vlogs.py --metadata-only # JSON files only, keep media
    uv run python samples/make_vlogs.py --only pindSeoul01

What the vlogs contain is in vlog_specs.py, how they are drawn in vlog_render.py,
their gold answers are built in vlog_gold.py.
For every vlog in VLOGS it writes samples/vlogs/<video id>/:

- video.mp4        640x360 H.264 baseline + AAC, the combined format "18"
- video_360p.mp4   the same picture without audio (format "134")
- video_144p.mp4   256x144 video only (format "160")
- audio.m4a        the AAC track alone (format "140")
- thumbnail.jpg    1280x720 (maxresdefault), thumbnail_hq.jpg 480x360 (hqdefault)
- captions.json    timed caption tracks, neutral format; the fake serves them as
                   YouTube's vtt/json3/srv1/srv2/srv3/ttml/srt and timedtext XML
- info.json        a yt-dlp info dict shaped like YouTube's extractor output, URLs
                   written as "{base}/..." for the fake to fill in
- gold.json        the places a perfect pipeline finds (coordinates from the
                   gazetteer) and the on-screen text with times, for OCR evaluation

and samples/scenarios.json: video ids that the fake answers with an error.

Everything is deterministic: the same script gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from food_specs import FOOD_VLOGS
from vlog_gold import build_gold
from vlog_render import FONT_BOLD, render_media, render_thumbnails
from vlog_specs import FPS, SAMPLE_RATE, SCENARIOS, VLOGS, Track, Vlog

from pind_fakes.gazetteer import Gazetteer
from pind_fakes.venues import VenueDirectory

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = REPO_ROOT / "samples"
TRANSLATION_LANGUAGES = {"en": "English", "ja": "Japanese", "zh-Hans": "Chinese (Simplified)"}
LANGUAGE_NAMES = {"ko": "Korean", "en": "English"}
SUBTITLE_FORMATS = ("json3", "srv1", "srv2", "srv3", "ttml", "srt", "vtt")


FormatSpec = tuple[str, str, str, str, str, int | None, int | None, int, str | None]
FORMATS: tuple[FormatSpec, ...] = (
    # itag, file, note, vcodec, acodec, width, height, quality, container
    ("160", "video_144p.mp4", "144p", "avc1.4d400c", "none", 256, 144, 0, "mp4_dash"),
    ("134", "video_360p.mp4", "360p", "avc1.42001E", "none", 640, 360, 2, "mp4_dash"),
    ("140", "audio.m4a", "medium", "none", "mp4a.40.2", None, None, 2, "m4a_dash"),
    ("18", "video.mp4", "360p", "avc1.42001E", "mp4a.40.2", 640, 360, 2, None),
)


def _format_entry(vlog: Vlog, out_dir: Path, spec: FormatSpec) -> dict[str, object]:
    itag, filename, note, vcodec, acodec, width, height, quality, container = spec
    size = (out_dir / filename).stat().st_size
    tbr = round(size * 8 / vlog.duration / 1000, 3)
    is_audio, is_video = acodec != "none", vcodec != "none"
    mime = "audio/mp4" if not is_video else "video/mp4"
    entry: dict[str, object] = {
        "format_id": itag,
        "format_note": note,
        "format_index": None,
        "url": (
            f"{{base}}/videoplayback?id={vlog.video_id}&itag={itag}&source=youtube"
            f"&mime={mime.replace('/', '%2F')}&dur={vlog.duration:.3f}&clen={size}"
        ),
        "ext": "m4a" if not is_video else "mp4",
        "protocol": "https",
        "vcodec": vcodec,
        "acodec": acodec,
        "width": width,
        "height": height,
        "fps": FPS if is_video else None,
        "filesize": size,
        "tbr": tbr,
        "vbr": tbr if is_video and not is_audio else None,
        "abr": tbr if is_audio and not is_video else None,
        "asr": SAMPLE_RATE if is_audio else None,
        "audio_channels": 2 if is_audio else None,
        "quality": quality,
        "has_drm": False,
        "language": vlog.language if is_audio else None,
        "language_preference": -1,
        "preference": None,
        "source_preference": -1 if itag == "18" else -2,
        "dynamic_range": "SDR" if is_video else None,
        "downloader_options": {"http_chunk_size": 10485760},
    }
    if container:
        entry["container"] = container
    return entry


def _timedtext_url(video_id: str, track: Track, fmt: str, tlang: str | None = None) -> str:
    asr = track.kind == "asr"
    query = [
        f"v={video_id}",
        "ei=pindFakeEi",
        "caps=asr" if asr else "",
        "opi=112496729",
        "xoaf=5",
        "hl=en",
        "ip=0.0.0.0",
        "ipbits=0",
        "expire=1893456000",
        "sparams=ip%2Cipbits%2Cexpire%2Cv%2Cei%2Ccaps%2Copi%2Cxoaf",
        "signature=PINDFAKESIGNATURE",
        "key=yt8",
        "kind=asr" if asr else "",
        f"lang={track.lang}",
        f"fmt={fmt}",
        f"tlang={tlang}" if tlang else "",
    ]
    return "{base}/api/timedtext?" + "&".join(q for q in query if q)


def _subtitle_list(
    video_id: str, track: Track, name: str, tlang: str | None = None
) -> list[dict[str, str]]:
    return [
        {"ext": fmt, "url": _timedtext_url(video_id, track, fmt, tlang), "name": name}
        for fmt in SUBTITLE_FORMATS
    ]


def build_info(vlog: Vlog, out_dir: Path) -> dict[str, object]:
    subtitles: dict[str, list[dict[str, str]]] = {}
    automatic: dict[str, list[dict[str, str]]] = {}
    for track in vlog.tracks:
        name = LANGUAGE_NAMES[track.lang]
        if track.kind == "manual":
            subtitles[track.lang] = _subtitle_list(vlog.video_id, track, name)
            continue
        # yt-dlp lists the original ASR language twice (with and without "-orig")
        # and every translation language with &tlang=.
        automatic[f"{track.lang}-orig"] = _subtitle_list(vlog.video_id, track, f"{name} (Original)")
        automatic[track.lang] = _subtitle_list(vlog.video_id, track, name)
        for code, language in TRANSLATION_LANGUAGES.items():
            automatic[code] = _subtitle_list(vlog.video_id, track, language, tlang=code)
    chapters: list[dict[str, object]] = []
    start = 0.0
    for scene in vlog.scenes:
        if scene.chapter:
            if chapters:
                chapters[-1]["end_time"] = start
            chapters.append(
                {"start_time": start, "title": scene.chapter, "end_time": vlog.duration}
            )
        start += scene.duration
    thumbnails = [
        {
            "url": f"{{base}}/vi/{vlog.video_id}/hqdefault.jpg",
            "preference": -7,
            "id": "0",
            "height": 360,
            "width": 480,
        },
        {
            "url": f"{{base}}/vi/{vlog.video_id}/maxresdefault.jpg",
            "preference": -1,
            "id": "1",
            "height": 720,
            "width": 1280,
        },
    ]
    webpage_url = f"https://www.youtube.com/watch?v={vlog.video_id}"
    return {
        "id": vlog.video_id,
        "title": vlog.title,
        "formats": [_format_entry(vlog, out_dir, spec) for spec in FORMATS],
        "thumbnails": thumbnails,
        "thumbnail": thumbnails[-1]["url"],
        "description": vlog.description,
        "channel_id": vlog.channel_id,
        "channel_url": f"https://www.youtube.com/channel/{vlog.channel_id}",
        "duration": vlog.duration,
        "view_count": vlog.view_count,
        "average_rating": None,
        "age_limit": 0,
        "webpage_url": webpage_url,
        "categories": ["Travel & Events"],
        "tags": list(vlog.tags),
        "playable_in_embed": True,
        "live_status": "not_live",
        "media_type": "video",
        "release_timestamp": None,
        "automatic_captions": automatic,
        "subtitles": subtitles,
        "comment_count": vlog.like_count // 9,
        "chapters": chapters or None,
        "heatmap": None,
        "like_count": vlog.like_count,
        "channel": vlog.channel,
        "channel_follower_count": 23_400,
        "channel_is_verified": None,
        "uploader": vlog.channel,
        "uploader_id": vlog.channel_handle,
        "uploader_url": f"https://www.youtube.com/{vlog.channel_handle}",
        "upload_date": vlog.uploaded.strftime("%Y%m%d"),
        "timestamp": int(vlog.uploaded.timestamp()),
        "availability": "public",
        "location": vlog.location,
        "language": vlog.language,
        "webpage_url_basename": "watch",
        "webpage_url_domain": "youtube.com",
        "extractor": "youtube",
        "extractor_key": "Youtube",
        "display_id": vlog.video_id,
        "fulltitle": vlog.title,
        "is_live": False,
        "was_live": False,
    }


def build_captions(vlog: Vlog) -> dict[str, object]:
    return {
        "tracks": [
            {
                "lang": track.lang,
                "kind": track.kind,
                "name": LANGUAGE_NAMES[track.lang]
                + (" (auto-generated)" if track.kind == "asr" else ""),
                "segments": [
                    {"start": s.start, "dur": s.dur, "text": s.text} for s in track.segments
                ],
            }
            for track in vlog.tracks
        ]
    }


def build_scenarios() -> dict[str, object]:
    return {
        "note": "Video ids the fake YouTube answers with an error; see samples/make_vlogs.py.",
        "scenarios": [{k: v for k, v in vars(s).items() if v is not None} for s in SCENARIOS],
    }


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=SAMPLES_DIR / "vlogs")
    parser.add_argument("--only", action="append", help="video id (repeatable)")
    parser.add_argument("--metadata-only", action="store_true")
    parser.add_argument(
        "--gazetteer-dir",
        type=Path,
        default=Path(
            os.environ.get("PIND_FAKES_GAZETTEER_DIR", REPO_ROOT / "data" / "gazetteer" / "kr")
        ),
    )
    parser.add_argument(
        "--venues-dir",
        type=Path,
        default=Path(os.environ.get("PIND_FAKES_VENUES_DIR", REPO_ROOT / "data" / "poi" / "kr")),
    )
    args = parser.parse_args(argv)
    if not args.metadata_only and not shutil.which("ffmpeg"):
        sys.exit("ffmpeg is missing: apt-get install -y ffmpeg")
    if not FONT_BOLD.exists():
        sys.exit("Korean fonts are missing: apt-get install -y fonts-nanum")
    gazetteer = Gazetteer.load(args.gazetteer_dir)
    venues = VenueDirectory.load(args.venues_dir)
    for vlog in (*VLOGS, *FOOD_VLOGS):
        if args.only and vlog.video_id not in args.only:
            continue
        out_dir = args.out / vlog.video_id
        out_dir.mkdir(parents=True, exist_ok=True)
        if not args.metadata_only:
            render_media(vlog, out_dir)
            render_thumbnails(vlog, out_dir)
        _write_json(out_dir / "captions.json", build_captions(vlog))
        _write_json(out_dir / "info.json", build_info(vlog, out_dir))
        _write_json(out_dir / "gold.json", build_gold(vlog, gazetteer, venues))
        sizes = {p.name: p.stat().st_size for p in sorted(out_dir.iterdir())}
        sys.stdout.write(f"{vlog.video_id}: {vlog.duration:.0f}s {sizes}\n")
    _write_json(args.out.parent / "scenarios.json", build_scenarios())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
