"""JSON Schemas of every topic's payload, and a backward-compatibility check.

``python -m pind_contracts.schemas write`` regenerates ``contracts/schemas/``;
``check`` compares the models with the committed files and exits non-zero on a
change that would break an existing consumer or producer of a ``.vN`` topic.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pind_contracts.topics import ALL_TOPICS, Topic

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"

JsonSchema = dict[str, Any]


def schema_of(topic: Topic) -> JsonSchema:
    """The payload's JSON Schema (validation mode), tagged with its topic."""
    schema = topic.payload.model_json_schema(mode="validation")
    schema["$id"] = f"urn:pind:schema:{topic.name}"
    schema["x-topic"] = topic.name
    return schema


def render(schema: JsonSchema) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_path(topic: Topic, directory: Path = SCHEMA_DIR) -> Path:
    return directory / f"{topic.name}.json"


def incompatibilities(old: JsonSchema, new: JsonSchema) -> list[str]:
    """Changes from ``old`` to ``new`` that are not backward compatible:
    a removed property, a changed type, a newly required property, or a
    narrowed enum. Walks nested objects through ``$defs`` references."""
    problems: list[str] = []
    _compare(old, new, old.get("$defs", {}), new.get("$defs", {}), "$", problems, set())
    return problems


def _resolve(node: JsonSchema, defs: dict[str, JsonSchema]) -> JsonSchema:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return defs.get(ref.removeprefix("#/$defs/"), {})
    return node


def _types(node: JsonSchema, defs: dict[str, JsonSchema]) -> set[str]:
    node = _resolve(node, defs)
    if "anyOf" in node:
        out: set[str] = set()
        for option in node["anyOf"]:
            out |= _types(option, defs)
        return out
    if "type" in node:
        value = node["type"]
        return set(value) if isinstance(value, list) else {value}
    if "const" in node or "enum" in node:
        return {"string"}
    if "properties" in node:
        return {"object"}
    return {"any"}


def _compare(
    old: JsonSchema,
    new: JsonSchema,
    old_defs: dict[str, JsonSchema],
    new_defs: dict[str, JsonSchema],
    path: str,
    problems: list[str],
    seen: set[tuple[str, str]],
) -> None:
    key = (json.dumps(old, sort_keys=True), json.dumps(new, sort_keys=True))
    if key in seen:
        return
    seen.add(key)
    old = _resolve(old, old_defs)
    new = _resolve(new, new_defs)

    old_types, new_types = _types(old, old_defs), _types(new, new_defs)
    if "any" not in new_types and not old_types <= new_types:
        problems.append(f"{path}: type changed from {sorted(old_types)} to {sorted(new_types)}")
        return

    old_enum, new_enum = old.get("enum"), new.get("enum")
    if old_enum is not None and new_enum is not None:
        removed = set(map(str, old_enum)) - set(map(str, new_enum))
        if removed:
            problems.append(f"{path}: enum values removed: {sorted(removed)}")

    old_props: dict[str, JsonSchema] = old.get("properties", {})
    new_props: dict[str, JsonSchema] = new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{path}.{name}: property removed")
            continue
        _compare(old_prop, new_props[name], old_defs, new_defs, f"{path}.{name}", problems, seen)
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(newly_required):
        problems.append(f"{path}.{name}: became required")

    if "items" in old and "items" in new:
        _compare(old["items"], new["items"], old_defs, new_defs, f"{path}[]", problems, seen)
    for old_option, new_option in zip(old.get("anyOf", []), new.get("anyOf", []), strict=False):
        if "$ref" in old_option and "$ref" in new_option:
            _compare(old_option, new_option, old_defs, new_defs, path, problems, seen)


def write(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for topic in ALL_TOPICS:
        path = schema_path(topic, directory)
        path.write_text(render(schema_of(topic)), encoding="utf-8")
        written.append(path)
    return written


def check(directory: Path = SCHEMA_DIR) -> list[str]:
    """Every incompatibility between committed schemas and the models."""
    problems: list[str] = []
    for topic in ALL_TOPICS:
        path = schema_path(topic, directory)
        if not path.exists():
            problems.append(f"{topic.name}: no committed schema (run `make schemas`)")
            continue
        committed = json.loads(path.read_text(encoding="utf-8"))
        problems += [f"{topic.name}: {p}" for p in incompatibilities(committed, schema_of(topic))]
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "check"
    if command == "write":
        for path in write():
            sys.stdout.write(f"wrote {path}\n")
        return 0
    if command == "check":
        problems = check()
        for problem in problems:
            sys.stderr.write(problem + "\n")
        return 1 if problems else 0
    sys.stderr.write("usage: python -m pind_contracts.schemas [write|check]\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
