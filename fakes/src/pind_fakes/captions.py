"""Timed captions in the formats YouTube's /api/timedtext serves.

srv1 (no fmt) is the legacy `<transcript><text start= dur=>` XML that
youtube-transcript-api parses; yt-dlp downloads vtt, json3, srv1..3, ttml or srt.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from pind_fakes.vlogs import CaptionSegment

XML = "text/xml; charset=UTF-8"


def translate(segments: Sequence[CaptionSegment], source: str, target: str) -> list[CaptionSegment]:
    """A stand-in for machine translation: same timings, text marked with the pair."""
    return [CaptionSegment(s.start, s.dur, f"[{source}→{target}] {s.text}") for s in segments]


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _clock(seconds: float, separator: str = ".") -> str:
    ms = _ms(seconds)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _srv1(segments: Sequence[CaptionSegment], lang: str) -> str:
    rows = "".join(
        f'<text start="{s.start:g}" dur="{s.dur:g}">{escape(s.text)}</text>' for s in segments
    )
    return f'<?xml version="1.0" encoding="utf-8" ?><transcript>{rows}</transcript>'


def _srv2(segments: Sequence[CaptionSegment], lang: str) -> str:
    rows = "".join(
        f'<text t="{_ms(s.start)}" d="{_ms(s.dur)}">{escape(s.text)}</text>' for s in segments
    )
    return f'<?xml version="1.0" encoding="utf-8" ?><timedtext>{rows}</timedtext>'


def _srv3(segments: Sequence[CaptionSegment], lang: str) -> str:
    rows = "\n".join(
        f'<p t="{_ms(s.start)}" d="{_ms(s.dur)}">{escape(s.text)}</p>' for s in segments
    )
    return (
        '<?xml version="1.0" encoding="utf-8" ?><timedtext format="3">\n'
        f"<body>\n{rows}\n</body>\n</timedtext>\n"
    )


def _ttml(segments: Sequence[CaptionSegment], lang: str) -> str:
    rows = "\n".join(
        f'<p begin="{_clock(s.start)}" end="{_clock(s.start + s.dur)}" style="s2">'
        f"{escape(s.text)}</p>"
        for s in segments
    )
    return (
        '<?xml version="1.0" encoding="utf-8" ?>\n'
        f'<tt xml:lang={quoteattr(lang)} xmlns="http://www.w3.org/ns/ttml" '
        'xmlns:ttm="http://www.w3.org/ns/ttml#metadata" '
        'xmlns:tts="http://www.w3.org/ns/ttml#styling" '
        'xmlns:ttp="http://www.w3.org/ns/ttml#parameter" '
        'ttp:profile="http://www.w3.org/TR/profile/sdp-us" >\n'
        '<head><styling><style xml:id="s1" tts:textAlign="center" tts:extent="90% 90%" '
        'tts:origin="5% 5%" tts:displayAlign="after"/><style xml:id="s2" tts:fontSize=".72c" '
        'tts:backgroundColor="black" tts:color="white"/></styling><layout><region xml:id="r1" '
        'tts:extent="80% 40%" tts:origin="10% 10%" tts:displayAlign="before" '
        f'tts:textAlign="center"/></layout></head>\n<body region="r1">\n<div>\n{rows}\n</div>\n'
        "</body>\n</tt>\n"
    )


def _vtt(segments: Sequence[CaptionSegment], lang: str) -> str:
    cues = "".join(
        f"{_clock(s.start)} --> {_clock(s.start + s.dur)}\n{s.text}\n\n" for s in segments
    )
    return f"WEBVTT\nKind: captions\nLanguage: {lang}\n\n{cues}"


def _srt(segments: Sequence[CaptionSegment], lang: str) -> str:
    return "".join(
        f"{n}\n{_clock(s.start, ',')} --> {_clock(s.start + s.dur, ',')}\n{s.text}\n\n"
        for n, s in enumerate(segments, start=1)
    )


def _json3(segments: Sequence[CaptionSegment], lang: str) -> str:
    events = [
        {
            "tStartMs": _ms(s.start),
            "dDurationMs": _ms(s.dur),
            "wpWinPosId": 1,
            "wsWinStyleId": 1,
            "segs": [{"utf8": s.text}],
        }
        for s in segments
    ]
    data = {
        "wireMagic": "pb3",
        "pens": [{}],
        "wsWinStyles": [{}, {"mhModeHint": 2, "juJustifCode": 0, "sdScrollDir": 3}],
        "wpWinPositions": [
            {},
            {"apPoint": 6, "ahHorPos": 20, "avVerPos": 100, "rcRows": 2, "ccCols": 40},
        ],
        "events": events,
    }
    return json.dumps(data, ensure_ascii=False)


_FORMATS = {
    "srv1": (_srv1, XML),
    "srv2": (_srv2, XML),
    "srv3": (_srv3, XML),
    "ttml": (_ttml, XML),
    "vtt": (_vtt, "text/vtt; charset=UTF-8"),
    "srt": (_srt, "application/x-subrip; charset=UTF-8"),
    "json3": (_json3, "application/json; charset=UTF-8"),
}


def render(segments: Sequence[CaptionSegment], fmt: str | None, lang: str) -> tuple[str, str]:
    """Body and Content-Type. Like YouTube, an unknown or missing fmt gives srv1."""
    writer, content_type = _FORMATS.get(fmt or "srv1", _FORMATS["srv1"])
    return writer(segments, lang), content_type
