"""Prometheus metrics of the auth service (served on ``/metrics`` by the kit)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

PASSWORD_HASH_SECONDS = Histogram(
    "pind_auth_password_hash_seconds",
    "Time of one Argon2id hash or verification",
    ["operation"],
    buckets=(0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0),
)
LOGINS = Counter("pind_auth_logins_total", "Login attempts by outcome", ["outcome"])
REFRESH_REUSE = Counter(
    "pind_auth_refresh_reuse_total", "Rotated refresh tokens presented again (family revoked)"
)
