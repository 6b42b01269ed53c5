"""WebVTT parsing and the folding of YouTube's rolling auto-captions into
segments. Pure: text in, values out.

YouTube's automatic captions in WebVTT repeat themselves: every cue shows the
line that is already on screen plus the line being spoken (with per-word
``<00:00:01.500><c>`` timings), and short 10 ms cues in between show the
settled line alone. :func:`fold_cues` keeps each line once, from the cue that
first shows it, and stretches it over the cues that merely repeat it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_TIMESTAMP = r"(?:(\d+):)?([0-5]\d):([0-5]\d)[.,](\d{3})"
_TIMING_LINE = re.compile(rf"^\s*{_TIMESTAMP}\s+-->\s+{_TIMESTAMP}(?:\s+.*)?$")
# Cue text markup: <c.cls>, </c>, <v Name>, <b>, <i>, <u>, <ruby>, <rt>, <lang xx>
# and inline timestamps like <00:00:01.500>.
_TAG = re.compile(r"<[^>\n]*>")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BIDI_MARKS = str.maketrans("", "", "\u200e\u200f")


class WebVTTError(ValueError):
    """The text is not a WebVTT file."""


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue: when it is shown (milliseconds) and its text lines, markup removed."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """Text on screen from ``start_ms`` for ``duration_ms``."""

    start_ms: int
    duration_ms: int
    text: str


def _to_ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def clean_cue_text(raw: str) -> str:
    """One line of cue payload as plain text: tags and inline timestamps
    removed, character references decoded, runs of spaces collapsed."""
    text = html.unescape(_TAG.sub("", raw)).translate(_BIDI_MARKS)
    return _SPACES.sub(" ", text).strip()


def _blocks(text: str) -> list[list[str]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        # Only an empty line ends a block: YouTube's cues carry lines of one space.
        # A second timing line starts a new cue, as the spec's parser does.
        if line and "-->" in line and any("-->" in seen for seen in current):
            blocks.append(current)
            current = [line]
        elif line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def parse_webvtt(text: str) -> list[Cue]:
    """The cues of a WebVTT document, in file order.

    Skips the header, NOTE, STYLE and REGION blocks, cue identifiers and cue
    settings; a block without a valid timing line is ignored, as the spec's
    parser does. Cues whose text is empty after markup removal are dropped.
    Raises :class:`WebVTTError` when the signature line is missing.
    """
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", first_line):
        raise WebVTTError("the file does not start with the WEBVTT signature")
    cues: list[Cue] = []
    for index, block in enumerate(_blocks(text)):
        if index == 0:
            # The header block: signature plus optional metadata lines ("Kind:", "Language:").
            # A timing line directly below the signature is not allowed by the spec.
            continue
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:
            continue  # NOTE, STYLE, REGION or garbage
        match = _TIMING_LINE.match(block[timing_at])
        if match is None:
            continue
        groups = match.groups()
        start_ms, end_ms = _to_ms(*groups[:4]), _to_ms(*groups[4:])
        if end_ms < start_ms:
            continue
        lines = tuple(cleaned for raw in block[timing_at + 1 :] if (cleaned := clean_cue_text(raw)))
        if lines:
            cues.append(Cue(start_ms=start_ms, end_ms=end_ms, lines=lines))
    return cues


def _overlap(shown: tuple[str, ...], lines: tuple[str, ...]) -> int:
    """How many leading ``lines`` repeat the last lines still ``shown``."""
    for size in range(min(len(shown), len(lines)), 0, -1):
        if shown[-size:] == lines[:size]:
            return size
    return 0


def fold_cues(cues: list[Cue]) -> list[Segment]:
    """Segments with each caption line once.

    A cue's leading lines that repeat the previous cue's trailing lines are
    dropped (rolling captions); a cue that only repeats extends the segment
    before it. A cue's remaining lines form one segment, joined by spaces.
    """
    segments: list[Segment] = []
    shown: tuple[str, ...] = ()
    for cue in cues:
        fresh = cue.lines[_overlap(shown, cue.lines) :]
        shown = cue.lines
        if not fresh:
            if segments:
                last = segments[-1]
                end_ms = max(last.start_ms + last.duration_ms, cue.end_ms)
                segments[-1] = Segment(last.start_ms, end_ms - last.start_ms, last.text)
            continue
        segments.append(Segment(cue.start_ms, cue.end_ms - cue.start_ms, " ".join(fresh)))
    return segments


def webvtt_segments(text: str) -> list[Segment]:
    """Parse a WebVTT document and fold it into segments."""
    return fold_cues(parse_webvtt(text))
