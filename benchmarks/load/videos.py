"""The videos a load run submits: one tiny sample vlog, and a scenarios file
that makes the fake YouTube answer for any number of distinct video ids as
copies of it (``samples/scenarios.json``'s ``like`` mechanism), so every
submission is new work while each video costs the pipeline as little as
possible: a one-line Korean caption naming one market, a short description,
no thumbnail, and either no picture at all (vision skips it after the
metadata lookup) or a one-second 144p clip whose single frame vision reads."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pind_kit.testing import REPO_ROOT

SOURCE = REPO_ROOT / "samples" / "vlogs" / "pindSeoul01"
SAMPLE_ID = "loadTiny001"
CAPTION = "여기가 바로 광장시장이에요."
DESCRIPTION = "광장시장 빈대떡 먹방\n\n📍 장소\n- 광장시장: 서울 종로구 창경궁로 88"
ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"


@dataclass(frozen=True)
class Catalogue:
    samples_dir: Path
    scenarios_file: Path
    frames: int

    @property
    def cost(self) -> str:
        picture = (
            "no picture stream (vision skips it: NO_VIDEO)"
            if self.frames == 0
            else "a 1 s 144p clip, OCR on 1 frame"
        )
        return (
            "each video: recorded metadata + one Korean caption line from the fake YouTube, "
            f"{picture}, no thumbnail, geoparsing of ~60 characters; no speech, no Gemini"
        )


def video_id(run: str, index: int) -> str:
    """An 11-character YouTube-style id: ``L`` + a 4-character run tag + 6 of the index."""
    digits = []
    for _ in range(6):
        index, rest = divmod(index, len(ID_ALPHABET))
        digits.append(ID_ALPHABET[rest])
    if index:
        raise ValueError("more videos than one run can name (64**6)")
    return f"L{run[:4]}{''.join(reversed(digits))}"


def _tiny_clip(path: Path) -> None:
    """One second of a blank white 144p picture, H.264 in MP4: vision decodes and
    reads one frame (its OCR finds no text, so geo gets none from it)."""
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=white:s=256x144:d=1:r=1",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )


def _info(frames: int, clip_size: int) -> dict[str, object]:
    info = json.loads((SOURCE / "info.json").read_text(encoding="utf-8"))
    base_id = info["id"]

    def renamed(value: object) -> object:
        text = json.dumps(value, ensure_ascii=False).replace(base_id, SAMPLE_ID)
        renamed_value: object = json.loads(text)
        return renamed_value

    formats = []
    if frames:
        tiny = next(f for f in info["formats"] if f["format_id"] == "160")
        tiny.update(
            fps=1,
            filesize=clip_size,
            url=f"{{base}}/videoplayback?id={SAMPLE_ID}&itag=160&source=youtube"
            f"&mime=video%2Fmp4&dur=1.000&clen={clip_size}",
        )
        formats.append(tiny)
    info.update(
        id=SAMPLE_ID,
        display_id=SAMPLE_ID,
        title="광장시장 빈대떡",
        fulltitle="광장시장 빈대떡",
        description=DESCRIPTION,
        duration=1,
        formats=formats,
        thumbnails=[],
        thumbnail=None,
        chapters=None,
        tags=["광장시장"],
        webpage_url=f"https://www.youtube.com/watch?v={SAMPLE_ID}",
        subtitles=renamed({"ko": info["subtitles"]["ko"]}),
        automatic_captions={},
    )
    return dict(info)


def build(directory: Path, run: str, count: int, frames: int) -> Catalogue:
    """Write the tiny sample and ``count`` ids borrowing it under ``directory``."""
    if frames not in (0, 1):
        raise ValueError(f"frames must be 0 or 1, not {frames}")
    samples = directory / "vlogs"
    sample = samples / SAMPLE_ID
    sample.mkdir(parents=True, exist_ok=True)
    clip_size = 0
    if frames:
        if shutil.which("ffmpeg") is None:
            raise RuntimeError("ffmpeg is not installed ('make setup' installs it)")
        _tiny_clip(sample / "video_144p.mp4")
        clip_size = (sample / "video_144p.mp4").stat().st_size
    (sample / "info.json").write_text(
        json.dumps(_info(frames, clip_size), ensure_ascii=False), encoding="utf-8"
    )
    captions = {
        "tracks": [
            {
                "lang": "ko",
                "kind": "manual",
                "name": "Korean",
                "segments": [{"start": 0.0, "dur": 1.0, "text": CAPTION}],
            }
        ]
    }
    (sample / "captions.json").write_text(
        json.dumps(captions, ensure_ascii=False), encoding="utf-8"
    )
    scenarios = {
        "note": "pind load run: distinct ids, each a copy of the tiny sample",
        "scenarios": [
            {
                "video_id": video_id(run, i),
                "kind": "load",
                "description": "A load-run copy of the tiny sample.",
                "like": SAMPLE_ID,
            }
            for i in range(count)
        ],
    }
    scenarios_file = directory / "scenarios.json"
    scenarios_file.write_text(json.dumps(scenarios), encoding="utf-8")
    return Catalogue(samples, scenarios_file, frames)
