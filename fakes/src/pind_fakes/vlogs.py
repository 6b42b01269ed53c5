"""The sample vlogs (samples/vlogs/<id>/) and error scenarios (samples/scenarios.json)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# itag → file in the vlog's directory (see samples/make_vlogs.py).
MEDIA_FILES = {
    "18": ("video.mp4", "video/mp4"),
    "134": ("video_360p.mp4", "video/mp4"),
    "160": ("video_144p.mp4", "video/mp4"),
    "140": ("audio.m4a", "audio/mp4"),
}
THUMBNAIL_FILES = {
    "maxresdefault.jpg": "thumbnail.jpg",
    "hqdefault.jpg": "thumbnail_hq.jpg",
}


@dataclass(frozen=True, slots=True)
class CaptionSegment:
    start: float
    dur: float
    text: str


@dataclass(frozen=True, slots=True)
class CaptionTrack:
    lang: str
    kind: str  # manual | asr
    name: str
    segments: tuple[CaptionSegment, ...]

    @property
    def is_generated(self) -> bool:
        return self.kind == "asr"


@dataclass(frozen=True, slots=True)
class Scenario:
    """An error fixture; see ErrorScenario in samples/make_vlogs.py."""

    video_id: str
    kind: str
    description: str
    recorded_error: str | None = None
    playability: dict[str, Any] | None = None
    like: str | None = None
    overrides: dict[str, Any] | None = None
    transcript: str | None = None


@dataclass(frozen=True, slots=True)
class Vlog:
    """What the fake knows about one video id (a sample, or a scenario that borrows one)."""

    video_id: str
    directory: Path
    info_template: dict[str, Any]
    tracks: tuple[CaptionTrack, ...]
    scenario: Scenario | None = None

    def info(self, base_url: str) -> dict[str, Any]:
        """The recorded info dict with "{base}" filled in and scenario overrides applied."""
        original_id = self.info_template["id"]

        def fill(value: Any) -> Any:
            if isinstance(value, str):
                value = value.replace("{base}", base_url)
                return (
                    value.replace(original_id, self.video_id)
                    if original_id != self.video_id
                    else value
                )
            if isinstance(value, list):
                return [fill(v) for v in value]
            if isinstance(value, dict):
                return {k: fill(v) for k, v in value.items()}
            return value

        info: dict[str, Any] = fill(copy.deepcopy(self.info_template))
        if self.scenario and self.scenario.overrides:
            info.update(self.scenario.overrides)
        return info

    def media(self, itag: str) -> tuple[Path, str] | None:
        entry = MEDIA_FILES.get(itag)
        if entry is None:
            return None
        path = self.directory / entry[0]
        return (path, entry[1]) if path.is_file() else None

    def thumbnail(self, name: str) -> Path | None:
        filename = THUMBNAIL_FILES.get(name)
        path = self.directory / filename if filename else None
        return path if path and path.is_file() else None

    def track(self, lang: str, *, generated: bool) -> CaptionTrack | None:
        for track in self.tracks:
            if track.lang == lang and track.is_generated == generated:
                return track
        return None


def _load_tracks(path: Path) -> tuple[CaptionTrack, ...]:
    if not path.exists():
        return ()
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        CaptionTrack(
            lang=track["lang"],
            kind=track["kind"],
            name=track.get("name") or track["lang"],
            segments=tuple(
                CaptionSegment(float(s["start"]), float(s["dur"]), s["text"])
                for s in track["segments"]
            ),
        )
        for track in data.get("tracks", [])
    )


class VlogStore:
    """Loads every sample once; answers by video id."""

    def __init__(self, samples_dir: Path, scenarios_file: Path | None = None) -> None:
        self._vlogs: dict[str, Vlog] = {}
        for directory in sorted(p for p in samples_dir.iterdir() if (p / "info.json").is_file()):
            info = json.loads((directory / "info.json").read_text(encoding="utf-8"))
            self._vlogs[info["id"]] = Vlog(
                video_id=info["id"],
                directory=directory,
                info_template=info,
                tracks=_load_tracks(directory / "captions.json"),
            )
        self._scenarios: dict[str, Scenario] = {}
        if scenarios_file is not None and scenarios_file.exists():
            data = json.loads(scenarios_file.read_text(encoding="utf-8"))
            for raw in data.get("scenarios", []):
                scenario = Scenario(**raw)
                self._scenarios[scenario.video_id] = scenario

    @property
    def video_ids(self) -> list[str]:
        return sorted(self._vlogs)

    @property
    def scenario_ids(self) -> list[str]:
        return sorted(self._scenarios)

    def scenario(self, video_id: str) -> Scenario | None:
        return self._scenarios.get(video_id)

    def get(self, video_id: str) -> Vlog | None:
        """The playable vlog for an id: a sample, or a scenario that borrows one."""
        if video_id in self._vlogs:
            return self._vlogs[video_id]
        scenario = self._scenarios.get(video_id)
        if scenario is None or scenario.like is None or scenario.like not in self._vlogs:
            return None
        sample = self._vlogs[scenario.like]
        return Vlog(video_id, sample.directory, sample.info_template, sample.tracks, scenario)
