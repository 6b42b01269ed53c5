"""geo's Prometheus counters for the outside world (served on geo's ``/metrics``):
what the geocoder chain asked each geocoder and how it went, what the cache in
front of the online geocoders spared them, and what Gemini was asked and used."""

from __future__ import annotations

from prometheus_client import Counter

GEOCODER_CALLS = Counter(
    "pind_geocoder_calls_total",
    "Questions the geocoder chain put to a geocoder, by outcome (found, empty, failed)",
    ["geocoder", "outcome"],
)
GEOCODE_CACHE = Counter(
    "pind_geocode_cache_lookups_total",
    "Cache lookups in front of an online geocoder (hit: the geocoder was not asked)",
    ["geocoder", "result"],
)
GEMINI_REQUESTS = Counter(
    "pind_gemini_requests_total",
    "Requests to Gemini, by outcome (answered, failed, unreadable)",
    ["model", "outcome"],
)
GEMINI_TOKENS = Counter(
    "pind_gemini_tokens_total", "Tokens Gemini billed, by kind (prompt, output)", ["model", "kind"]
)
GEMINI_COST = Counter(
    "pind_gemini_cost_usd_total", "Estimated cost of Gemini's answers in US dollars", ["model"]
)
