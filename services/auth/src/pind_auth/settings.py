"""The auth service's settings: every field reads ``PIND_<FIELD>``.

Secrets have no default. Signing keys are required unless ``dev`` is set, in
which case one is generated under ``run_dir`` on first start (never committed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

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

    # --- login throttling (state in PostgreSQL) ---------------------------------------
    throttle_window_s: int = Field(
        default=900, ge=1, description="Failures counted in this window; lockout as long."
    )
    throttle_account_failures: int = Field(default=5, ge=1)
    throttle_address_failures: int = Field(default=20, ge=1)
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Peer addresses whose X-Forwarded-For is believed (the gateway's).",
    )

    @model_validator(mode="after")
    def _keys_in_production(self) -> AuthSettings:
        if not self.dev and self.jwt_signing_key is None and self.jwt_key_dir is None:
            raise ValueError(
                "no signing key: set PIND_JWT_SIGNING_KEY or PIND_JWT_KEY_DIR "
                "(or PIND_DEV=true to generate a development key under PIND_RUN_DIR)"
            )
        if self.password_max_length < self.password_min_length:
            raise ValueError("password_max_length is below password_min_length")
        return self
