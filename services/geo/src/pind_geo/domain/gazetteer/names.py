"""Every name a video may use for a gazetteer row: cleaned Hangul names,
the forms people write (…역, …시장, 성수동 for 성수1가제1동) and romanised
English ones ('Gwangjang Market', 'Seongsu-dong')."""

from __future__ import annotations

import re

from pind_geo.domain.cues import KO_TO_EN_SUFFIX, ko_suffix
from pind_geo.domain.gazetteer.records import GazetteerRecord
from pind_geo.domain.regions import province_aliases, province_short
from pind_geo.domain.romanize import romanize
from pind_geo.domain.text import has_hangul, match_key

_PARENS = re.compile(r"\s*\(([^)]*)\)\s*")
_FORMER = re.compile(r"^(?:구|현|옛|舊)\s*")
_TRAILING_NOISE = re.compile(r"\s*(?:관광지|관광단지|일원|일대)$")
_DONG = re.compile(r"^(?P<head>.+?)(?:\d[\d.·,]*가)?(?:제?\d+)?(?P<unit>동|읍|면|리)$")
_PARTS = re.compile(r"\s*[·&,/]\s*")
# Tiny parks named after a word ('새싹', '무지개') would turn common words into places.
_ABBREVIATIONS = re.compile(r"\b(Univ|Nat'?l|Int'?l)\b\.?", re.IGNORECASE)
_EXPANSIONS = {"univ": "University", "natl": "National", "intl": "International"}
_SMALL_PARK_KINDS = frozenset({"어린이공원", "소공원", "마을마당"})
_PARK_ENDINGS = ("공원", "숲", "정원", "수목원", "유원지", "광장", "동산")
GENERIC_NAMES = frozenset(
    {
        "시장",
        "전통시장",
        "재래시장",
        "수산시장",
        "공원",
        "근린공원",
        "어린이공원",
        "소공원",
        "문화공원",
        "수변공원",
        "체육공원",
        "역사공원",
        "중앙공원",
        "관광지",
        "해수욕장",
    }
)


def korean_names(record: GazetteerRecord) -> set[str]:
    """The Hangul names of a row, as written in text (before ``match_key``)."""
    if record.dataset == "admin":
        return _admin_names(record)
    if record.dataset == "park" and not _is_named_park(record):
        return set()
    names: set[str] = set()
    main, alternates = _split_parens(record.name)
    for index, raw in enumerate((main, *alternates)):
        is_main = index == 0
        name = _TRAILING_NOISE.sub("", _FORMER.sub("", raw)).strip()
        if record.dataset == "station":
            # An alternate name counts only when it is a station name itself ('나사렛대역').
            if is_main or name.endswith("역"):
                names.add(name if name.endswith("역") else name + "역")
            continue
        if not is_main and not name.endswith(("시장", "상가", "공원", "역")) and len(name) < 3:
            continue
        if record.dataset == "market" and not is_main and not name.endswith("시장"):
            continue
        names.add(name)
        parts = [p for p in _PARTS.split(name) if p.strip()]
        names.update(p for p in parts if len(match_key(p)) >= 3)
        # '남산&N서울타워' is called 남산타워 too: the first part with the last's suffix.
        suffix = ko_suffix(parts[-1].replace(" ", "")) if len(parts) > 1 else None
        if suffix is not None and ko_suffix(parts[0]) is None:
            names.add(parts[0].strip() + suffix[0])
        if name.endswith("전통시장") and len(name) > 6:
            names.add(name.removesuffix("전통시장") + "시장")
        if name.endswith("근린공원") and len(name) > 6:
            names.add(name.removesuffix("근린공원") + "공원")
    return {n for n in names if _usable(n)}


def english_names(record: GazetteerRecord, korean: set[str]) -> set[str]:
    """Romanised names of a row: given English names plus RR of the Hangul ones."""
    names: set[str] = set()
    if record.name_en:
        english = _PARENS.sub(" ", record.name_en).strip()
        for variant in {english, _ABBREVIATIONS.sub(_expand, english)}:
            names.add(variant + " station" if record.dataset == "station" else variant)
    for name in korean:
        compact = name.replace(" ", "")
        names.add(romanize(compact))
        suffix = ko_suffix(compact)
        if suffix and suffix[0] in KO_TO_EN_SUFFIX:
            head = romanize(compact[: -len(suffix[0])])
            names.add(f"{head} {KO_TO_EN_SUFFIX[suffix[0]]}")
            if record.dataset == "admin" and len(compact) - len(suffix[0]) >= 2:
                names.add(head)  # 'Seongsu' for 성수동, 'Mapo' for 마포구
    if record.dataset == "admin" and record.admin_level == 1:
        short = province_short(record.name)
        names.update(a for a in province_aliases(short or "") if not has_hangul(a))
    return {n for n in names if len(match_key(n)) >= 4}


def display_name(record: GazetteerRecord) -> str:
    """The name to show: parentheses dropped, stations ending in 역,
    numbered neighbourhoods by their common name (성수1가제1동 → 성수동)."""
    main, _ = _split_parens(record.name)
    main = _TRAILING_NOISE.sub("", _FORMER.sub("", main)).strip() or main
    if record.dataset == "station" and not main.endswith("역"):
        return main + "역"
    if record.dataset == "admin" and record.admin_level == 3:
        return dong_base(main) or main
    return main


def _expand(match: re.Match[str]) -> str:
    return _EXPANSIONS[match[1].casefold().replace("'", "")]


def dong_base(name: str) -> str | None:
    """'성수1가제1동' → '성수동', '이태원제2동' → '이태원동'; None if already a base."""
    match = _DONG.match(name)
    if match is None:
        return None
    base = match["head"] + match["unit"]
    return base if base != name else None


def _admin_names(record: GazetteerRecord) -> set[str]:
    name = record.name
    names = {name}
    if record.admin_level == 1:
        short = province_short(name)
        names.update(a for a in province_aliases(short or "") if has_hangul(a))
    elif record.admin_level == 2:
        # '수원시장안구' → also '수원시'; '마포구' → '마포'; '강릉시' → '강릉'.
        city = re.match(r"^(.+?시)(.+[구])$", name)
        if city:
            names.update({city[1], city[2]})
        for part in list(names):
            head = part[:-1]
            if part[-1] in "시군구" and len(head) >= 2:
                names.add(head)
    else:
        match = _DONG.match(name)
        if match:
            head = match["head"]
            names.add(head + match["unit"])
            # 을지로동 → 을지로, 이태원동 → 이태원; but not 중앙동 → 중앙 (a common word).
            if match["unit"] == "동" and (len(head) >= 3 or head.endswith(("로", "가"))):
                names.add(head)
    return {n for n in names if _usable(n)}


def _is_named_park(record: GazetteerRecord) -> bool:
    if record.kind in _SMALL_PARK_KINDS:
        return False
    main, _ = _split_parens(record.name)
    return main.endswith(_PARK_ENDINGS)


def _split_parens(name: str) -> tuple[str, list[str]]:
    """'쌍용(나사렛대)역' → ('쌍용역', ['나사렛대역']);
    '서울역(경의선)' → ('서울역', ['경의선'])."""
    match = _PARENS.search(name)
    if match is None:
        return name.strip(), []
    before, after = name[: match.start()], name[match.end() :]
    inner = _FORMER.sub("", match[1]).strip()
    return (before + after).strip(), [inner + after] if inner else []


def _usable(name: str) -> bool:
    key = match_key(name)
    return len(key) >= 2 and has_hangul(key) and key not in GENERIC_NAMES
