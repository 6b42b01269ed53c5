"""The fake model's answer text: the places found, shaped to the requested
response schema (Gemini's OpenAPI subset or JSON Schema: $ref, anyOf, nullable,
enums), to plain JSON, or to prose; never with coordinates."""

from __future__ import annotations

import json
from typing import Any

from pind_fakes.gazetteer import Gazetteer, PlaceCategory
from pind_fakes.gemini.finding import FoundPlace, find_places, find_venues
from pind_fakes.venues import VenueDirectory

_VENUE_WORDS = {
    "restaurant": ("restaurant", "food", "식당", "음식점"),
    "cafe": ("cafe", "café", "coffee", "카페"),
}
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
