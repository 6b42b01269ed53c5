"""The auth service's settings: every field reads ``PIND_<FIELD>``.

Secrets have no default. Outside development (``dev`` unset) the service refuses
to start with development-only values: no signing key (in development one is
generated under ``run_dir``), a reset link to localhost, or plain SMTP to a mail
server on another host.
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, IPvAnyNetwork, SecretStr, model_validator

from pind_kit.settings import ServiceSettings


class AuthSettings(ServiceSettings):
    service_name: str = "auth"
    db_schema: str = "auth"
    http_port: int = Field(default=8001, ge=0, le=65535)

    dev: bool = Field(
        default=False,
        description="Development mode: generate a signing key under run_dir when none is set.",
    )
    run_dir: Path = Field(default=Path(".run"), description="Run state (dev keys live here).")

    # --- access tokens (EdDSA JWTs) ---------------------------------------------------
    jwt_issuer: str = Field(default="pind-auth", description="`iss` of every access token.")
    jwt_audience: str = Field(default="pind", description="`aud` of every access token.")
    access_token_ttl_s: int = Field(default=600, ge=30, le=3600)
    legacy_access_token_ttl_s: int = Field(
        default=3600,
        ge=30,
        le=86400,
        description="Access-token lifetime for POST /auth/login: the first backend's web "
        "client keeps only the access token and never refreshes.",
    )
    jwt_signing_key: SecretStr | None = Field(
        default=None, description="PEM (PKCS#8) Ed25519 private key that signs new tokens."
    )
    jwt_key_dir: Path | None = Field(
        default=None,
        description="Directory of Ed25519 keys: <name>.pem (private, may sign) and "
        "<name>.pub.pem (public only: retired keys still published in the JWKS).",
    )
    jwt_active_kid: str | None = Field(
        default=None,
        description="kid of the signing key; default: jwt_signing_key, else the private "
        "key file whose name sorts last in jwt_key_dir.",
    )
    jwks_max_age_s: int = Field(default=300, ge=0, description="Cache-Control max-age of the JWKS.")

    # --- refresh tokens -------------------------------------------------------------------
    refresh_token_ttl_s: int = Field(default=14 * 86400, ge=60, description="Idle lifetime.")
    session_max_age_s: int = Field(
        default=60 * 86400, ge=60, description="Absolute lifetime of one login's token family."
    )

    # --- passwords (Argon2id; defaults measured at ~100 ms per hash on 2 cores) ----------
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_kib: int = Field(default=32768, ge=8192)
    argon2_parallelism: int = Field(default=1, ge=1)
    hash_concurrency: int = Field(
        default=2, ge=1, description="Password hashes computed at once (threads)."
    )
    password_min_length: int = Field(default=10, ge=8)
    password_max_length: int = Field(default=128, ge=64, le=1024)

    # --- password reset -------------------------------------------------------------------
    reset_token_ttl_s: int = Field(default=1800, ge=1)
    reset_resend_interval_s: int = Field(
        default=60, ge=0, description="At most one reset mail per account in this time."
    )
    reset_url: str = Field(
        default="http://localhost:3000/reset-password",
        description="Page of the web client that reads ?token= and asks for a new password.",
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="none", description="Plain SMTP, STARTTLS, or implicit TLS (SMTPS)."
    )
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "pind <no-reply@pind.localhost>"
    smtp_timeout_s: float = Field(default=10.0, gt=0)

    max_body_bytes: int = Field(
        default=16 * 1024, ge=1024, description="Largest request body accepted (else 413)."
    )

    # --- login throttling (state in PostgreSQL) ---------------------------------------
    throttle_window_s: int = Field(
        default=900,
        ge=1,
        description="Failures are counted until this long passes without one; an address "
        "over its limit waits as long.",
    )
    throttle_account_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins for one account from one client address before each "
        "further try there must wait (a delay that doubles; the owner elsewhere is not "
        "affected).",
    )
    throttle_delay_base_s: float = Field(
        default=1.0, gt=0, description="The first delay after the free failures."
    )
    throttle_delay_max_s: float = Field(
        default=900.0, gt=0, description="The longest delay for one account and address."
    )
    throttle_address_failures: int = Field(
        default=20,
        ge=1,
        description="Failed sign-ins from one client address (an IPv6 /64), any account, "
        "before it waits out the window.",
    )
    throttle_account_alert_failures: int = Field(
        default=50,
        ge=1,
        description="Failures for one account, from anywhere, that count it as under attack "
        "(metric pind_auth_accounts_under_attack_total; nobody is locked out).",
    )
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=lambda: _this_machine(),
        description="Networks (CIDR, or single addresses) of the proxies whose "
        "X-Forwarded-For is believed: the gateway's pods or containers (by default this "
        "machine, where the local stack's gateway runs).",
    )

    # --- registration ----------------------------------------------------------------------
    register_window_s: int = Field(default=3600, ge=1, description="Registrations counted per.")
    register_address_limit: int = Field(
        default=10, ge=1, description="Registrations per client address (IPv6: /64) per window."
    )
    register_network_limit: int = Field(
        default=50,
        ge=1,
        description="Registrations per client network (IPv4 /24, IPv6 /48) per window.",
    )
    taken_address_mail_interval_s: int = Field(
        default=3600,
        ge=0,
        description="At most one 'someone tried to register your address' mail per account "
        "in this time.",
    )
    hash_queue_limit: int = Field(
        default=32,
        ge=0,
        description="Password hashes that may wait for a slot; beyond that a request is "
        "answered 503 with Retry-After.",
    )

    @model_validator(mode="after")
    def _no_development_values_in_production(self) -> AuthSettings:
        if self.password_max_length < self.password_min_length:
            raise ValueError("password_max_length is below password_min_length")
        if self.dev:
            return self
        if self.jwt_signing_key is None and self.jwt_key_dir is None:
            raise ValueError(
                "no signing key: set PIND_JWT_SIGNING_KEY or PIND_JWT_KEY_DIR "
                "(or PIND_DEV=true to generate a development key under PIND_RUN_DIR)"
            )
        reset_host = urlsplit(self.reset_url).hostname or ""
        if is_local_host(reset_host):
            raise ValueError(
                f"PIND_RESET_URL={self.reset_url} points at this machine: mailed reset links "
                "would open the reader's own computer; set the web client's public address "
                "(or PIND_DEV=true for development)"
            )
        if self.smtp_security == "none" and not is_local_host(self.smtp_host):
            raise ValueError(
                f"PIND_SMTP_SECURITY=none sends reset links unencrypted to {self.smtp_host}; "
                "use starttls or tls for a mail server on another host "
                "(or PIND_DEV=true for development)"
            )
        return self


def _this_machine() -> list[IPv4Network | IPv6Network]:
    return [IPv4Network("127.0.0.0/8"), IPv6Network("::1/128")]


def is_local_host(host: str) -> bool:
    """Whether ``host`` names this machine (localhost or a loopback address)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
