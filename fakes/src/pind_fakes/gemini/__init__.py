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

from aiohttp import web

from pind_fakes.gazetteer import Gazetteer
from pind_fakes.gemini.api import (
    CONFIG,
    GAZETTEER,
    SCENARIOS,
    VENUES,
    count_tokens,
    generate_content,
    set_scenario,
)
from pind_fakes.gemini.finding import HALLUCINATED_VENUE, INVENTED_BRANCH
from pind_fakes.gemini.reply import compose_reply
from pind_fakes.serving import new_app
from pind_fakes.settings import FakesSettings
from pind_fakes.venues import VenueDirectory

__all__ = ["HALLUCINATED_VENUE", "INVENTED_BRANCH", "SCENARIOS", "compose_reply", "create_app"]


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
