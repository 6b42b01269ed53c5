"""Prometheus metrics of the auth service (served on ``/metrics`` by the kit).

Alerts: ``increase(pind_auth_accounts_under_attack_total[15m]) > 0`` (one
account failing from many clients: a distributed guessing attack, which the
per-client delays slow but do not stop), ``rate(pind_auth_throttled_total[5m])``
by scope, and ``pind_auth_hash_queue_full_total`` (hashing is the bottleneck).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PASSWORD_HASH_SECONDS = Histogram(
    "pind_auth_password_hash_seconds",
    "Time of one Argon2id hash or verification",
    ["operation"],
    buckets=(0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0),
)
HASH_QUEUE = Gauge("pind_auth_hash_queue", "Password hashes waiting for a slot")
HASH_QUEUE_FULL = Counter(
    "pind_auth_hash_queue_full_total", "Requests answered 503: the password-hash queue was full"
)
LOGINS = Counter("pind_auth_logins_total", "Login attempts by outcome", ["outcome"])
THROTTLED = Counter(
    "pind_auth_throttled_total",
    "Requests refused by a throttle, by scope (account_address, address, register_*)",
    ["scope"],
)
ACCOUNTS_UNDER_ATTACK = Counter(
    "pind_auth_accounts_under_attack_total",
    "Accounts whose failed sign-ins, from all clients, reached throttle_account_alert_failures "
    "within the throttle window",
)
REFRESH_REUSE = Counter(
    "pind_auth_refresh_reuse_total", "Rotated refresh tokens presented again (family revoked)"
)
