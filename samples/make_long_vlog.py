"""Make the narrated sample vlogs: a short one without captions (speech-to-text
must find its words) and one longer than five minutes (the benchmark's clip).

Run from the repository root (needs apt `ffmpeg`, `fonts-nanum` and `espeak-ng`):

    uv run python samples/make_long_vlog.py                     # both
    uv run python samples/make_long_vlog.py --only pindSpeak01
    uv run python samples/make_long_vlog.py --metadata-only    # JSON files only

Pictures are drawn like make_vlogs.py's (vlog_render.render_scene_frames); the
sound is a quiet chord per scene with espeak-ng reading the narration on top.
Caption times come from the length of each spoken line, so captions.json is
what is actually said, when it is said. Files and JSON as make_vlogs.py writes
them (video.mp4, video_360p.mp4, video_144p.mp4, audio.m4a, thumbnails,
captions.json, info.json, gold.json), which the fake YouTube serves unchanged.

espeak-ng's Korean voice is not understood by Whisper base (it hears a syllable
repeated), so the narration is English; Korean is on the signs and subtitles.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
from long.narrated_specs import LONG, SPEAK, NarratedVlog
from make_vlogs import SAMPLES_DIR, _write_json, build_captions, build_gold, build_info
from vlog_render import FONT_BOLD, render_scene_frames, render_thumbnails
from vlog_specs import FPS, HEIGHT, SAMPLE_RATE, WIDTH, Segment, Track, Vlog

from pind_fakes.gazetteer import Gazetteer
from pind_fakes.settings import FakesSettings

VOICE, WORDS_PER_MINUTE = "en-us", 150
LINE_GAP_S, LEAD_IN_S = 0.6, 1.0
BITEXACT = ("-fflags", "+bitexact", "-map_metadata", "-1", "-movflags", "+faststart")


def speak(text: str, workdir: Path) -> np.ndarray:
    """``text`` read by espeak-ng, as float samples at SAMPLE_RATE."""
    path = workdir / f"{hashlib.sha256(text.encode()).hexdigest()[:16]}.wav"
    subprocess.run(
        ["espeak-ng", "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-w", str(path), text],
        check=True,
    )
    with wave.open(str(path), "rb") as spoken:
        rate = spoken.getframerate()
        raw = np.frombuffer(spoken.readframes(spoken.getnframes()), "<i2")
    voice = raw.astype(np.float64) / 32768.0
    positions = np.arange(round(len(voice) * SAMPLE_RATE / rate)) * rate / SAMPLE_RATE
    resampled: np.ndarray = np.interp(positions, np.arange(len(voice)), voice)
    return resampled


def narrate(narrated: NarratedVlog, workdir: Path) -> tuple[np.ndarray, tuple[Segment, ...]]:
    """The soundtrack (chords plus voice) and what is said when."""
    vlog = narrated.vlog
    total = round(vlog.duration * SAMPLE_RATE)
    sound = np.zeros(total)
    segments: list[Segment] = []
    scene_start = 0.0
    for scene, lines in zip(vlog.scenes, narrated.narration, strict=True):
        n = round(scene.duration * SAMPLE_RATE)
        t = np.arange(n) / SAMPLE_RATE
        tone = sum(np.sin(2 * np.pi * f * t) for f in scene.chord) / len(scene.chord)
        fade = np.minimum(1.0, np.minimum(t, scene.duration - t) / 0.25)
        first = round(scene_start * SAMPLE_RATE)
        sound[first : first + n] += 0.05 * tone * fade
        at = scene_start + LEAD_IN_S
        for line in lines:
            voice = speak(line, workdir)
            end = at + len(voice) / SAMPLE_RATE
            if end > scene_start + scene.duration - 0.3:
                raise ValueError(f"narration too long for its scene: {line!r}")
            start_i = round(at * SAMPLE_RATE)
            sound[start_i : start_i + len(voice)] += 0.8 * voice
            segments.append(Segment(round(at, 2), round(end - at, 2), line))
            at = end + LINE_GAP_S
        scene_start += scene.duration
    return np.clip(sound, -1.0, 1.0), tuple(segments)


def _ffmpeg(*args: str, stdin: int | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], stdin=stdin
    )


def _run(*args: str) -> None:
    if _ffmpeg(*args).wait() != 0:
        raise RuntimeError(f"ffmpeg failed: {' '.join(args)}")


def render_media(vlog: Vlog, sound: np.ndarray, crf: int, out_dir: Path, workdir: Path) -> None:
    """video.mp4 (18), video_360p.mp4 (134), video_144p.mp4 (160) and audio.m4a (140)."""
    audio = workdir / "audio.wav"
    stereo = np.stack([sound, sound * 0.9], axis=1)
    with wave.open(str(audio), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((stereo * 32767).astype("<i2").tobytes())
    video = out_dir / "video.mp4"
    encoder = _ffmpeg(
        *("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS)),
        *("-i", "pipe:0", "-i", str(audio), "-map", "0:v", "-map", "1:a"),
        *("-c:v", "libx264", "-preset", "medium", "-crf", str(crf), "-profile:v", "baseline"),
        *("-level", "3.0", "-pix_fmt", "yuv420p", "-g", str(FPS * 4), "-flags:v", "+bitexact"),
        *("-threads", "2", "-c:a", "aac", "-b:a", "48k", "-ar", str(SAMPLE_RATE), "-ac", "2"),
        *("-flags:a", "+bitexact", *BITEXACT, str(video)),
        stdin=subprocess.PIPE,
    )
    assert encoder.stdin is not None
    rng = np.random.default_rng(int(hashlib.sha256(vlog.video_id.encode()).hexdigest()[:8], 16))
    for index, scene in enumerate(vlog.scenes):
        for frame in render_scene_frames(scene, index, rng):
            encoder.stdin.write(frame.tobytes())
    encoder.stdin.close()
    if encoder.wait() != 0:
        raise RuntimeError("ffmpeg failed to encode video.mp4")
    _run("-i", str(video), "-map", "0:v", "-c", "copy", *BITEXACT, str(out_dir / "video_360p.mp4"))
    _run(
        *("-i", str(video), "-map", "0:v", "-vf", "scale=256:144", "-c:v", "libx264"),
        *("-preset", "medium", "-crf", str(crf + 1), "-pix_fmt", "yuv420p"),
        *("-g", str(FPS * 4), "-flags:v", "+bitexact", *BITEXACT, str(out_dir / "video_144p.mp4")),
    )
    _run("-i", str(video), "-map", "0:a", "-c", "copy", *BITEXACT, str(out_dir / "audio.m4a"))


def make(
    narrated: NarratedVlog, out_root: Path, gazetteer: Gazetteer, *, metadata_only: bool
) -> None:
    out_dir = out_root / narrated.vlog.video_id
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pind-narrate-") as tmp:
        sound, spoken = narrate(narrated, Path(tmp))
        tracks = (Track(narrated.caption_lang, "manual", spoken),) if narrated.captions else ()
        vlog = dataclasses.replace(narrated.vlog, tracks=tracks)
        if not metadata_only:
            render_media(vlog, sound, narrated.crf, out_dir, Path(tmp))
    if not metadata_only:
        render_thumbnails(vlog, out_dir)
    _write_json(out_dir / "captions.json", build_captions(vlog))
    _write_json(out_dir / "info.json", build_info(vlog, out_dir))
    gold = build_gold(vlog, gazetteer)
    # What is said and when, also for videos without captions: the speech gold.
    gold["speech"] = [{"start_s": s.start, "dur_s": s.dur, "text": s.text} for s in spoken]
    _write_json(out_dir / "gold.json", gold)
    sizes = {p.name: p.stat().st_size for p in sorted(out_dir.iterdir())}
    sys.stdout.write(f"{vlog.video_id}: {vlog.duration:.0f}s {sizes}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=SAMPLES_DIR / "vlogs")
    parser.add_argument("--only", action="append", help="video id (repeatable)")
    parser.add_argument("--metadata-only", action="store_true", help="JSON only, keep media")
    args = parser.parse_args(argv)
    for tool in ("ffmpeg", "espeak-ng"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install -y {tool}")
    if not FONT_BOLD.exists():
        sys.exit("Korean fonts are missing: apt-get install -y fonts-nanum")
    gazetteer = Gazetteer.load(FakesSettings().gazetteer_dir)
    for narrated in (SPEAK, LONG):
        if not args.only or narrated.vlog.video_id in args.only:
            make(narrated, args.out, gazetteer, metadata_only=args.metadata_only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
