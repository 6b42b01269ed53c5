"""Which caption track to read, given the tracks a video has and the languages
we prefer. Pure: both the captions API and yt-dlp's subtitle tracks are
described as :class:`AvailableTrack` and chosen by the same rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

TrackKind = Literal["manual", "generated"]
KIND_ORDER: tuple[TrackKind, ...] = ("manual", "generated")


@dataclass(frozen=True, slots=True)
class AvailableTrack:
    """A caption track a video offers."""

    lang: str
    kind: TrackKind
    translation_languages: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class TrackChoice:
    """The track to read, and the language to translate it into (or None)."""

    track: AvailableTrack
    translate_to: str | None = None

    @property
    def language(self) -> str:
        return self.translate_to or self.track.lang


def base_language(code: str) -> str:
    """``'en-US'`` -> ``'en'``, ``'zh-Hans'`` -> ``'zh'``, ``'ko'`` -> ``'ko'``."""
    return code.replace("_", "-").split("-", 1)[0].lower()


def _matches(track_lang: str, wanted: str, *, exact: bool) -> bool:
    if exact:
        return track_lang.lower() == wanted.lower()
    return base_language(track_lang) == base_language(wanted)


def _find(tracks: Sequence[AvailableTrack], kind: TrackKind, wanted: str) -> AvailableTrack | None:
    of_kind = [t for t in tracks if t.kind == kind]
    for exact in (True, False):
        for track in of_kind:
            if _matches(track.lang, wanted, exact=exact):
                return track
    return None


def choose_track(tracks: Iterable[AvailableTrack], preferred: Sequence[str]) -> TrackChoice | None:
    """The best track for ``preferred`` languages (in order), or None when the
    video has no tracks.

    1. A manual track in a preferred language (earlier languages first), then a
       generated one: people's captions beat speech recognition.
       ``'en-US'`` counts as ``'en'`` when no exact ``'en'`` track exists.
    2. Otherwise the video only has other languages: take the best such track
       (manual first) and translate it into the first preferred language it can
       be translated into; if it cannot be translated, read it as it is.
    """
    available = list(tracks)
    if not available:
        return None
    for kind in KIND_ORDER:
        for wanted in preferred:
            found = _find(available, kind, wanted)
            if found is not None:
                return TrackChoice(found)
    ranked = sorted(
        available,
        key=lambda t: (KIND_ORDER.index(t.kind), not t.translation_languages),
    )
    for track in ranked:
        for wanted in preferred:
            target = _translation_target(track, wanted)
            if target is not None:
                return TrackChoice(track, translate_to=target)
    return TrackChoice(ranked[0])


def _translation_target(track: AvailableTrack, wanted: str) -> str | None:
    codes = sorted(track.translation_languages)
    for exact in (True, False):
        for code in codes:
            if _matches(code, wanted, exact=exact):
                return code
    return None
