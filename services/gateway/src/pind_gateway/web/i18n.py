"""The map page's two languages: the message tables (``static/i18n/{ko,en}.json``),
the choice of one per request, and the page rendered in it.

The page is rendered on the server so that its first paint is in the reader's
language: a ``pind_lang`` cookie (set by the page's language switch) wins,
else the first of Korean and English in ``Accept-Language`` order by q-value,
else English. ``index.html`` names every text as ``{{key}}`` of the tables and
marks the element with ``data-i18n`` so the page can switch without a reload;
``{{@lang}}``, ``{{@other}}`` and ``{{@other_name}}`` (the language the switch
offers), ``{{@messages}}`` and ``{{@config}}`` are filled in here too.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

Language = Literal["ko", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "en"
COOKIE = "pind_lang"

_PLACEHOLDER = re.compile(r"\{\{(@?[a-z0-9_.]+)\}\}")
# One entry of Accept-Language: a language range and an optional q-value.
_LANGUAGE_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)


def load_messages(directory: Path) -> dict[Language, dict[str, str]]:
    """Both tables; they must have the same keys (a page missing a text in one
    language would show the key instead)."""
    tables: dict[Language, dict[str, str]] = {}
    for language in LANGUAGES:
        table = json.loads((directory / f"{language}.json").read_text(encoding="utf-8"))
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise ValueError(f"{language}.json must map message keys to strings")
        tables[language] = table
    keys = {language: set(table) for language, table in tables.items()}
    if keys["ko"] != keys["en"]:
        raise ValueError(
            "the message tables differ: only in ko.json: "
            f"{sorted(keys['ko'] - keys['en'])}, only in en.json: {sorted(keys['en'] - keys['ko'])}"
        )
    return tables


def choose_language(accept_language: str | None, cookie: str | None = None) -> Language:
    """The page's language for a request (see the module docstring)."""
    if cookie in LANGUAGES:
        return cookie
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        match = _LANGUAGE_RANGE.match(part)
        if not match:
            continue
        try:
            quality = float(match.group(2)) if match.group(2) is not None else 1.0
        except ValueError:
            continue
        if quality > 0:
            ranked.append((-quality, index, match.group(1).split("-")[0].lower()))
    for _, _, primary in sorted(ranked):
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no "</script>", no "<!--")."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def render_page(
    template: str,
    language: Language,
    messages: Mapping[Language, Mapping[str, str]],
    config: Mapping[str, Any],
) -> str:
    """``template`` with every ``{{key}}`` replaced, HTML-escaped, in ``language``."""
    table = messages[language]
    other = next(code for code in LANGUAGES if code != language)
    specials = {
        "@lang": language,
        "@other": other,
        "@other_name": html.escape(messages[other][f"lang.{other}"]),
        "@messages": _script_json(messages),
        "@config": _script_json(config),
    }

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in specials:
            return specials[key]
        if key not in table:
            raise KeyError(f"index.html names the message {key!r}, which no table has")
        return html.escape(table[key])

    return _PLACEHOLDER.sub(fill, template)
