"""What the fake model finds in the user's text: gazetteer names and venue names
(with the branch where the text writes one), each with its line, time stamp
and source, plus the mistakes a real model makes (a venue the text never names,
a branch it never writes)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pind_fakes.gazetteer import Gazetteer, GazetteerPlace, Mention, PlaceCategory, normalise
from pind_fakes.venues import VenueDirectory

# What the fake model gets wrong, as real ones do: a venue the text never
# names, and a branch the text never writes (given to the first venue named
# without one). The geo step must drop both: the first is in no line of the
# text, the second contradicts it.
HALLUCINATED_VENUE = ("부산원조할매국밥", "원조 할매국밥 맛집이라고 해서 갔어요")
INVENTED_BRANCH = "본점"
_MIN_VENUE = 4


@dataclass(frozen=True, slots=True)
class FoundPlace:
    mention: Mention
    line: str
    time_s: float | None
    source: str | None
    venue_category: str | None = None
    """'restaurant' or 'cafe' for a venue of the venue index (the mention's
    place is then a shell holding its name)."""
    branch: str | None = None

    @property
    def category(self) -> str:
        return self.venue_category or self.mention.place.category.value


_TIME = re.compile(
    r"(?:\[|\(|^|\s)(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2}(?:\.\d+)?)"
    r"|(?P<secs>\d+(?:\.\d+)?)\s*(?:s\b|sec|초)"
)
_SOURCES = {
    "caption": ("caption", "transcript", "자막", "speech", "subtitle"),
    "ocr": ("ocr", "on-screen", "on screen", "frame", "화면"),
    "title": ("title", "제목"),
    "description": ("description", "설명", "chapter", "tags"),
}


def _time_in(line: str) -> float | None:
    match = _TIME.search(line)
    if not match:
        return None
    if match.group("secs"):
        return float(match.group("secs"))
    hours = int(match.group("h") or 0)
    return hours * 3600 + int(match.group("m")) * 60 + float(match.group("s"))


def _source_for(lines: list[str], index: int) -> str | None:
    for line in [lines[index], *reversed(lines[:index])]:
        lowered = line.casefold()
        for source, words in _SOURCES.items():
            if any(word in lowered for word in words):
                return source
    return None


def find_venues(venues: VenueDirectory, text: str, taken: list[FoundPlace]) -> list[FoundPlace]:
    """Venue names of the index written in ``text`` (longest first, not inside
    a gazetteer name), each once, plus the model's mistakes (see above)."""
    lines = text.splitlines() or [text]
    found: list[FoundPlace] = []
    spans = [(p.mention.start, p.mention.end) for p in taken]
    folded = text.casefold()
    for key in sorted(venues.names_in(folded, _MIN_VENUE), key=len, reverse=True):
        start = folded.find(key)
        end = start + len(key)
        if any(s < end and start < e for s, e in spans):
            continue
        spans.append((start, end))
        venue = venues.first(key)
        index = text.count("\n", 0, start)
        line = lines[index].strip() if index < len(lines) else ""
        shell = Mention(
            GazetteerPlace(
                key=venue.key,
                name=text[start:end],
                name_en="",
                category=PlaceCategory.ATTRACTION,
                lat=0.0,
                lon=0.0,
                address="",
                detail="",
                prominence=0.5,
                match_keys=(key,),
            ),
            start,
            end,
            text[start:end],
        )
        found.append(
            FoundPlace(
                shell,
                line,
                _time_in(line),
                _source_for(lines, index),
                "cafe" if venue.group == "CE7" else "restaurant",
                (venue.branch or None) if normalise(venue.name + venue.branch) == key else None,
            )
        )
    found.sort(key=lambda p: p.mention.start)
    if found:
        plain = next((i for i, p in enumerate(found) if p.branch is None), None)
        if plain is not None:
            found[plain] = replace(found[plain], branch=INVENTED_BRANCH)
        name, quote = HALLUCINATED_VENUE
        ghost = Mention(replace(found[0].mention.place, name=name, key="ghost"), 0, 0, name)
        found.append(FoundPlace(ghost, quote, None, "caption", "restaurant"))
    return found


def find_places(gazetteer: Gazetteer, text: str) -> list[FoundPlace]:
    lines = text.splitlines() or [text]
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    found = []
    for mention in gazetteer.mentions(text):
        index = max(i for i, start in enumerate(starts) if start <= mention.start)
        line = lines[index].strip()
        found.append(FoundPlace(mention, line, _time_in(line), _source_for(lines, index)))
    return found
