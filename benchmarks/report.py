"""The benchmark's printed report, and the word error rate it quotes."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

SERVICE_MEMORY_TARGET_MB = 200.0
VISION_MEMORY_TARGET_MB = 1536.0
VISION_TARGET_S_PER_MIN = 10.0


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the reference's length; case and
    punctuation ignored."""
    ref = re.findall(r"\w+", reference.lower())
    hyp = re.findall(r"\w+", hypothesis.lower())
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        current = [i]
        for j, heard in enumerate(hyp, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != heard))
            )
        previous = current
    return previous[-1] / len(ref)


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER TARGET"


class Report:
    """Writes the figures as plain lines a person reads in a terminal or CI log."""

    def __init__(self, out: TextIO, clips: list[dict[str, Any]]) -> None:
        self._out = out
        self._durations = {c["id"]: float(c["duration"]) for c in clips}
        load = os.getloadavg()
        self.line(
            f"pind media benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"{platform.machine()}, {os.cpu_count()} CPUs, load average "
            f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (others' work slows every figure)"
        )
        clips_text = ", ".join(f"{i} {d:.0f}s" for i, d in self._durations.items())
        self.line(f"clips: {clips_text}")

    def line(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def _failed(self, name: str, figures: Mapping[str, Any]) -> bool:
        if "failed" in figures:
            self.line(f"{name}: FAILED ({figures['failed']})")
            return True
        return False

    def _memory(self, name: str, figures: Mapping[str, Any], target: float | None) -> None:
        peak = float(figures["peak_rss_mb"])
        verdict = f" (target <= {target:.0f} MB: {_verdict(peak, target)})" if target else ""
        self.line(f"  {name} peak memory: {peak:.0f} MB{verdict}")

    def ingest(self, figures: Mapping[str, Any]) -> None:
        if self._failed("ingest", figures):
            return
        seconds: dict[str, float] = figures["seconds"]
        self.line("ingest (yt-dlp metadata, no media):")
        for clip, value in seconds.items():
            self.line(f"  {clip}: {value:.2f} s")
        self._memory("ingest", figures, SERVICE_MEMORY_TARGET_MB)

    def transcript(self, figures: Mapping[str, Any]) -> None:
        if self._failed("transcript", figures):
            return
        self.line("transcript without speech (per source):")
        for key, step in figures["steps"].items():
            found = f"{step['source']}, {step['segments']} segments" if step["source"] else "none"
            self.line(f"  {key}: {step['seconds']:.2f} s -> {found}")
        self._memory("transcript without speech", figures, SERVICE_MEMORY_TARGET_MB)

    def speech(self, figures: Mapping[str, Any]) -> None:
        if self._failed("speech", figures):
            return
        threads = figures["threads"] or os.cpu_count()
        self.line(
            f"speech-to-text (Whisper base int8, {threads} threads, model load "
            f"{figures['model_load_s']:.1f} s):"
        )
        spoken_audio = spoken_compute = 0.0
        for clip, result in figures["clips"].items():
            rtf = result["seconds"] / result["audio_s"]
            wer = f", WER {result['wer']:.0%}" if result["wer"] is not None else ""
            self.line(
                f"  {clip}: {result['audio_s']:.0f} s audio in {result['seconds']:.1f} s "
                f"(real-time factor {rtf:.2f}), {result['segments']} segments{wer}"
            )
            if result["segments"]:
                spoken_audio += result["audio_s"]
                spoken_compute += result["seconds"]
        if spoken_audio:
            self.line(
                f"  real-time factor on clips with speech: {spoken_compute / spoken_audio:.2f} "
                "(seconds of compute per second of audio)"
            )
        self._memory("transcript with speech", figures, None)

    def vision(self, figures: Mapping[str, Any]) -> None:
        if "missing" in figures:
            self.line(f"vision: not measured ({figures['missing']})")
            return
        if self._failed("vision", figures):
            return
        self.line("vision (360p):")
        totals = {"seconds": 0.0, "video_minutes": 0.0, "frames_ocred": 0.0}
        for clip, result in figures["clips"].items():
            minutes = result.get("video_minutes") or self._durations.get(clip, 0.0) / 60
            per_min = result["seconds"] / minutes if minutes else float("nan")
            self.line(
                f"  {clip}: {per_min:.1f} s per minute of video, "
                f"{result['frames_ocred'] / minutes:.0f} frames OCR'd per minute, "
                f"CER ko {_percent(result.get('cer_ko'))}, en {_percent(result.get('cer_en'))}"
            )
            totals["seconds"] += result["seconds"]
            totals["video_minutes"] += minutes
            totals["frames_ocred"] += result["frames_ocred"]
        if totals["video_minutes"]:
            per_min = totals["seconds"] / totals["video_minutes"]
            self.line(
                f"  all clips: {per_min:.1f} s per minute of video (target <= "
                f"{VISION_TARGET_S_PER_MIN:.0f}: {_verdict(per_min, VISION_TARGET_S_PER_MIN)})"
            )
        self._memory("vision", figures, VISION_MEMORY_TARGET_MB)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
