"""pind's published JSON Schemas (``contracts/schemas/<topic>.json``, one per
topic, named by its ``x-topic``), as validators of incoming payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

# The checkout's copy; a team outside the repository points --schemas at theirs.
DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parents[4] / "contracts" / "schemas"


class InvalidPayload(ValueError):
    """A payload its topic's schema refuses (the message says where and why)."""


class Schemas:
    """One validator per topic (formats such as ``uuid`` are checked too)."""

    def __init__(self, directory: Path, topics: list[str]) -> None:
        self._validators: dict[str, Draft202012Validator] = {}
        for topic in topics:
            path = directory / f"{topic}.json"
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise FileNotFoundError(
                    f"no readable JSON Schema for {topic} at {path} ({exc}); "
                    "pass --schemas DIR (pind's contracts/schemas)"
                ) from exc
            Draft202012Validator.check_schema(schema)
            self._validators[topic] = Draft202012Validator(
                schema, format_checker=Draft202012Validator.FORMAT_CHECKER
            )

    def validate(self, topic: str, payload: Any) -> None:
        error = best_match(self._validators[topic].iter_errors(payload))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(the payload)"
            raise InvalidPayload(f"{topic}: {where}: {error.message}")
