"""Fake Gemini API (port 8901): generateContent in the wire format google-genai parses.

The reply is deterministic: the gazetteer names and the venue index's names
(with the branch where the text writes one) found in the user's text, shaped
to the requested response schema (``responseSchema`` in Gemini's OpenAPI subset,
or ``responseJsonSchema``), with the line each name appeared on as evidence and
the first time stamp on that line. Coordinates are never invented. Like a
real model it also errs: one venue the text never names and one branch the
text never writes (``HALLUCINATED_VENUE``, ``INVENTED_BRANCH``).

Scenarios, chosen by the API key ``fake-<scenario>`` (or the server default,
or ``POST /_fake/scenario {"scenario": ...}``):
normal | malformed (truncated JSON, finishReason MAX_TOKENS) | rate_limited
(HTTP 429 RESOURCE_EXHAUSTED) | unavailable (HTTP 503) | safety (no content,
finishReason SAFETY) | slow (stalls ``gemini_slow_s`` before answering).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web

from pind_fakes.gazetteer import Gazetteer, GazetteerPlace, Mention, PlaceCategory, normalise
from pind_fakes.serving import new_app
from pind_fakes.settings import FakesSettings
from pind_fakes.venues import VenueDirectory

SCENARIOS = ("normal", "malformed", "rate_limited", "unavailable", "safety", "slow")

GAZETTEER = web.AppKey("gazetteer", Gazetteer)
VENUES = web.AppKey("venues", VenueDirectory)
CONFIG = web.AppKey("config", dict)

_MODEL = re.compile(r"^(?:gemini|gemma)-[\w.-]+$")


def create_app(settings: FakesSettings) -> web.Application:
    app = new_app()
    app[GAZETTEER] = Gazetteer.load(settings.gazetteer_dir)
    app[VENUES] = VenueDirectory.load(settings.venues_dir)
    app[CONFIG] = {"scenario": settings.gemini_scenario, "slow_s": settings.gemini_slow_s}
    for version in ("v1", "v1beta", "v1alpha"):
        app.router.add_post(f"/{version}/models/{{model:[^/:]+}}:generateContent", generate_content)
        app.router.add_post(f"/{version}/models/{{model:[^/:]+}}:countTokens", count_tokens)
    app.router.add_post("/_fake/scenario", set_scenario)
    return app


def google_error(status: int, code_name: str, message: str, **extra: Any) -> web.Response:
    """An error body in Google's format: {"error": {code, message, status, details?}}."""
    error: dict[str, Any] = {"code": status, "message": message, "status": code_name}
    error.update(extra)
    return web.json_response({"error": error}, status=status)


def _api_key(request: web.Request) -> str | None:
    return request.headers.get("x-goog-api-key") or request.query.get("key")


def _scenario(request: web.Request, key: str) -> str:
    if key.startswith("fake-") and key.removeprefix("fake-") in SCENARIOS:
        return key.removeprefix("fake-")
    return str(request.app[CONFIG]["scenario"])


async def set_scenario(request: web.Request) -> web.Response:
    body = await request.json()
    scenario = body.get("scenario")
    if scenario not in SCENARIOS:
        return web.json_response({"error": f"scenario must be one of {SCENARIOS}"}, status=400)
    request.app[CONFIG]["scenario"] = scenario
    if "slow_s" in body:
        request.app[CONFIG]["slow_s"] = float(body["slow_s"])
    return web.json_response({"scenario": scenario})


async def count_tokens(request: web.Request) -> web.Response:
    if not _api_key(request):
        return _missing_key()
    body = await request.json()
    return web.json_response({"totalTokens": _tokens(_user_text(body))})


def _missing_key() -> web.Response:
    return google_error(
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    )


async def generate_content(request: web.Request) -> web.Response:
    model = request.match_info["model"].removeprefix("models/")
    key = _api_key(request)
    if not key:
        return _missing_key()
    version = request.path.split("/")[1]
    if not _MODEL.match(model):
        return google_error(
            404,
            "NOT_FOUND",
            f"models/{model} is not found for API version {version}, or is not supported "
            "for generateContent. Call ListModels to see the list of available models "
            "and their supported methods.",
        )
    try:
        body = await request.json()
    except json.JSONDecodeError:
        return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
    if not body.get("contents"):
        return google_error(
            400,
            "INVALID_ARGUMENT",
            "* GenerateContentRequest.contents: contents is not specified\n",
        )

    scenario = _scenario(request, key)
    if scenario == "rate_limited":
        return _rate_limited(model)
    if scenario == "unavailable":
        return google_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
    if scenario == "slow":
        await asyncio.sleep(float(request.app[CONFIG]["slow_s"]))

    text = _user_text(body)
    config = body.get("generationConfig") or {}
    reply = compose_reply(request.app[GAZETTEER], text, config, request.app[VENUES])
    finish = "STOP"
    if scenario == "malformed":
        reply, finish = reply[: max(1, len(reply) * 2 // 3)].rstrip("}] \n"), "MAX_TOKENS"
        if not reply.startswith(("{", "[")):
            reply = '{"places": [{"name": "' + reply[:10]
    prompt_tokens, reply_tokens = _tokens(text), _tokens(reply)
    candidate: dict[str, Any] = {
        "content": {"parts": [{"text": reply}], "role": "model"},
        "finishReason": finish,
        "avgLogprobs": -0.0421,
        "index": 0,
    }
    if scenario == "safety":
        candidate = {
            "finishReason": "SAFETY",
            "index": 0,
            "safetyRatings": [
                {
                    "category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                    "probability": "HIGH",
                    "blocked": True,
                }
            ],
        }
        reply_tokens = 0
    response_id = hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()[:22]
    return web.json_response(
        {
            "candidates": [candidate],
            "usageMetadata": {
                "promptTokenCount": prompt_tokens,
                "candidatesTokenCount": reply_tokens,
                "totalTokenCount": prompt_tokens + reply_tokens,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
            },
            "modelVersion": model,
            "responseId": response_id,
        },
        dumps=lambda data: json.dumps(data, ensure_ascii=False),
    )


def _rate_limited(model: str) -> web.Response:
    return google_error(
        429,
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. "
        "To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. ",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                    {
                        "quotaMetric": (
                            "generativelanguage.googleapis.com/generate_content_free_tier_requests"
                        ),
                        "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                        "quotaDimensions": {"location": "global", "model": model},
                        "quotaValue": "10",
                    }
                ],
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Learn more about Gemini API quotas",
                        "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                    }
                ],
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"},
        ],
    )


def _user_text(body: dict[str, Any]) -> str:
    # Only the conversation, not systemInstruction: instructions often carry example
    # names that are not in the video.
    parts = [
        part.get("text", "")
        for content in body.get("contents") or []
        for part in (content.get("parts") or [])
        if isinstance(part, dict)
    ]
    return "\n".join(p for p in parts if p)


def _tokens(text: str) -> int:
    return max(1, len(text) // 4) if text else 0


# ------------------------------------------------------------------- the reply


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


_VENUE_WORDS = {
    "restaurant": ("restaurant", "food", "식당", "음식점"),
    "cafe": ("cafe", "café", "coffee", "카페"),
}
# What the fake model gets wrong, as real ones do: a venue the text never
# names, and a branch the text never writes (given to the first venue named
# without one). The geo step must drop both: the first is in no line of the
# text, the second contradicts it.
HALLUCINATED_VENUE = ("부산원조할매국밥", "원조 할매국밥 맛집이라고 해서 갔어요")
INVENTED_BRANCH = "본점"
_MIN_VENUE = 4
_CATEGORY_WORDS = {
    PlaceCategory.MARKET: ("market", "시장", "shopping", "food"),
    PlaceCategory.STATION: ("station", "transit", "transport", "역"),
    PlaceCategory.ATTRACTION: ("attraction", "landmark", "tourist", "sight", "beach"),
    PlaceCategory.PARK: ("park", "nature", "공원"),
    PlaceCategory.ADMIN_AREA: (
        "neighbourhood",
        "neighborhood",
        "area",
        "district",
        "region",
        "city",
    ),
}
_FIELDS = {
    "name": ("name", "place_name", "place", "name_ko", "korean_name", "original_name", "title"),
    "name_en": ("name_en", "english_name", "name_english", "romanized", "romanised"),
    "category": ("category", "type", "kind", "place_type", "place_category"),
    "evidence": ("evidence", "quote", "snippet", "context", "text", "reason", "mention"),
    "source": ("source", "sources", "evidence_source"),
    "time": ("start_s", "start", "time", "timestamp", "first_seen_s", "seconds", "time_s", "t"),
    "confidence": ("confidence", "score", "probability", "certainty"),
    "address": ("address", "region", "city", "area", "location_hint", "location"),
    "branch": ("branch", "branch_name", "지점"),
    "coordinate": ("lat", "latitude", "lon", "lng", "longitude"),
}


def _field_role(name: str) -> str | None:
    lowered = name.casefold()
    for role, names in _FIELDS.items():
        if lowered in names:
            return role
    return None


class _Schema:
    """Walks Gemini's Schema dicts and JSON Schema alike (type case, $ref, anyOf, nullable)."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.defs = {**root.get("$defs", {}), **root.get("definitions", {})}

    def resolve(self, schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        nullable = bool(schema.get("nullable"))
        for _ in range(20):
            if "$ref" in schema:
                schema = self.defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
                continue
            options = schema.get("anyOf") or schema.get("oneOf")
            if options:
                concrete = [o for o in options if self.type_of(o) != "null"]
                nullable = nullable or len(concrete) < len(options)
                schema = concrete[0] if concrete else {"type": "null"}
                continue
            break
        kind = schema.get("type")
        if isinstance(kind, list):
            nullable = nullable or "null" in [str(k).lower() for k in kind]
        return schema, nullable

    @staticmethod
    def type_of(schema: dict[str, Any]) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if str(k).lower() != "null"), "null")
        if kind is None:
            if "properties" in schema:
                return "object"
            if "items" in schema:
                return "array"
            if "enum" in schema:
                return "string"
        return str(kind or "string").lower()

    def is_place_array(self, schema: dict[str, Any]) -> bool:
        resolved, _ = self.resolve(schema)
        if self.type_of(resolved) != "array":
            return False
        items, _ = self.resolve(resolved.get("items") or {})
        return self.type_of(items) == "object" and any(
            _field_role(name) == "name" for name in items.get("properties", {})
        )


def _pick_enum(options: list[Any], wanted: tuple[str, ...]) -> Any:
    for option in options:
        if any(word in str(option).casefold() for word in wanted):
            return option
    for option in options:
        if str(option).casefold() in ("other", "unknown", "etc"):
            return option
    return options[0]


def _value(
    schema: _Schema,
    raw: dict[str, Any],
    name: str,
    place: FoundPlace | None,
    places: list[FoundPlace],
) -> Any:
    node, nullable = schema.resolve(raw)
    kind = schema.type_of(node)
    role = _field_role(name) if place else None
    if place is None or role is None:
        return _default(schema, node, kind, nullable, places)
    if kind == "object":  # e.g. "evidence": {"source", "text", "start_s"}
        return _object(schema, node, place, places)
    value = _place_value(place, role)
    if value is None:
        return _default(schema, node, kind, nullable, places)
    if node.get("enum"):
        category = place.mention.place.category
        words = (
            _VENUE_WORDS[place.venue_category]
            if place.venue_category
            else _CATEGORY_WORDS[category]
        )
        wanted = words if role == "category" else (str(value),)
        return _pick_enum(node["enum"], tuple(w.casefold() for w in wanted))
    if kind == "array":
        items, _ = schema.resolve(node.get("items") or {})
        if schema.type_of(items) == "object":
            return [_object(schema, items, place, places)]
        return [value]
    if kind in ("number", "integer"):
        return value if isinstance(value, int | float) else 0
    if kind == "boolean":
        return True
    return value if isinstance(value, str) else str(value)


def _default(
    schema: _Schema, node: dict[str, Any], kind: str, nullable: bool, places: list[FoundPlace]
) -> Any:
    if nullable:
        return None
    if node.get("enum"):
        return node["enum"][0]
    if kind == "object":
        return _object(schema, node, None, places)
    return {"string": "", "number": 0.0, "integer": 0, "boolean": False, "array": []}.get(kind)


def _place_value(place: FoundPlace, role: str) -> Any:
    gazetteer_place = place.mention.place
    return {
        "name": gazetteer_place.name,
        "name_en": gazetteer_place.name_en or None,
        "category": place.category,
        "branch": place.branch,
        "evidence": place.line,
        "source": place.source,
        "time": place.time_s,
        "confidence": 0.9
        if place.mention.surface.casefold() == gazetteer_place.name.casefold()
        else 0.7,
        "address": gazetteer_place.address or None,
        "coordinate": None,  # a language model must not be the source of coordinates
    }[role]


def _object(
    schema: _Schema, node: dict[str, Any], place: FoundPlace | None, places: list[FoundPlace]
) -> dict[str, Any]:
    """Fill an object schema: per place (``place`` given) or the top level."""
    result: dict[str, Any] = {}
    for name, raw in (node.get("properties") or {}).items():
        if place is None and schema.is_place_array(raw):
            resolved, _ = schema.resolve(raw)
            items, _ = schema.resolve(resolved.get("items") or {})
            result[name] = [_object(schema, items, p, places) for p in places]
        elif place is None and name.casefold() in ("places", "names"):
            result[name] = [p.mention.place.name for p in places]
        else:
            result[name] = _value(schema, raw, name, place, places)
    return result


def compose_reply(
    gazetteer: Gazetteer,
    text: str,
    config: dict[str, Any],
    venues: VenueDirectory | None = None,
) -> str:
    """The model's answer text for ``text`` under ``generationConfig``."""
    places = find_places(gazetteer, text)
    if venues is not None:
        places = sorted(places + find_venues(venues, text, places), key=lambda p: p.mention.start)
    root = config.get("responseJsonSchema") or config.get("responseSchema")
    if isinstance(root, dict) and root:
        schema = _Schema(root)
        node, _ = schema.resolve(root)
        if schema.type_of(node) == "array":
            items, _ = schema.resolve(node.get("items") or {})
            if schema.type_of(items) == "object":
                data: Any = [_object(schema, items, p, places) for p in places]
            else:
                data = [p.mention.place.name for p in places]
        else:
            data = _object(schema, node, None, places)
        return json.dumps(data, ensure_ascii=False)
    if config.get("responseMimeType") == "application/json":
        return json.dumps(
            {
                "places": [
                    {
                        "name": p.mention.place.name,
                        "name_en": p.mention.place.name_en,
                        "category": p.category,
                        "evidence": p.line,
                        "source": p.source,
                        "start_s": p.time_s,
                        "confidence": _place_value(p, "confidence"),
                    }
                    for p in places
                ]
            },
            ensure_ascii=False,
        )
    if not places:
        return "I could not find any specific places in this text."
    return "Places mentioned:\n" + "\n".join(
        f"- {p.mention.place.name} ({p.category})" for p in places
    )
