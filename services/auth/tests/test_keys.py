"""Signing keys: where they come from, which one signs, and rotation that
logs nobody out."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from pind_auth.security.keys import (
    KeyConfigurationError,
    load_key_ring,
    private_pem,
    public_pem,
    thumbprint,
    write_new_key,
)
from pind_auth.settings import AuthSettings

DB = "postgresql+asyncpg://nobody:unused@127.0.0.1:1/none"


def _settings(**values: Any) -> AuthSettings:
    return AuthSettings(
        database_url=DB, reset_url="https://pind.example.com/reset-password", **values
    )


def test_production_refuses_to_start_without_a_signing_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The local stack's environment sets PIND_DEV=true; production does not.
    for name in ("PIND_DEV", "PIND_JWT_SIGNING_KEY", "PIND_JWT_KEY_DIR"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError, match="no signing key"):
        _settings()


def test_dev_mode_generates_one_private_key_and_keeps_it(tmp_path: Path) -> None:
    first = load_key_ring(_settings(dev=True, run_dir=tmp_path))
    second = load_key_ring(_settings(dev=True, run_dir=tmp_path))

    key_file = tmp_path / "auth-keys" / "dev.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.signer_kid == second.signer_kid
    assert list(first.public_keys) == [first.signer_kid]


def test_key_from_the_environment_signs(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    ring = load_key_ring(_settings(jwt_signing_key=private_pem(key).decode()))
    assert ring.signer_kid == thumbprint(key.public_key())


def test_newest_key_file_signs_and_every_key_is_published(tmp_path: Path) -> None:
    old = write_new_key(tmp_path / "2026-01.pem")
    new = write_new_key(tmp_path / "2026-06.pem")

    ring = load_key_ring(_settings(jwt_key_dir=tmp_path))

    assert ring.signer_kid == thumbprint(new.public_key())
    assert set(ring.public_keys) == {thumbprint(old.public_key()), thumbprint(new.public_key())}
    pinned = load_key_ring(
        _settings(jwt_key_dir=tmp_path, jwt_active_kid=thumbprint(old.public_key()))
    )
    assert pinned.signer_kid == thumbprint(old.public_key())


def test_a_public_only_key_cannot_be_the_signer(tmp_path: Path) -> None:
    write_new_key(tmp_path / "current.pem")
    retired = Ed25519PrivateKey.generate()
    (tmp_path / "retired.pub.pem").write_bytes(public_pem(retired.public_key()))

    with pytest.raises(KeyConfigurationError):
        load_key_ring(
            _settings(jwt_key_dir=tmp_path, jwt_active_kid=thumbprint(retired.public_key()))
        )


def test_a_non_ed25519_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.pem").write_text(
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(KeyConfigurationError):
        load_key_ring(_settings(jwt_key_dir=tmp_path))


async def test_rotation_keeps_existing_sessions_valid(
    api: Any,
    new_email: Callable[[], str],
    app_factory: Any,
    key_dir: Path,
    signing_key: tuple[str, Ed25519PrivateKey],
    tmp_path: Path,
) -> None:
    address = new_email()
    await api.register(address)
    before = await api.login(address)

    # The old signer retired to public-only, a new key signing.
    (tmp_path / "2026-01-old.pub.pem").write_bytes(public_pem(signing_key[1].public_key()))
    new_key = write_new_key(tmp_path / "2026-06-new.pem")

    async with app_factory(jwt_key_dir=tmp_path) as (_app, http):
        published = (await http.get("/.well-known/jwks.json")).json()["keys"]
        still_valid = await http.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {before['access_token']}"}
        )
        refreshed = await http.post(
            "/api/v1/auth/refresh", json={"refresh_token": before["refresh_token"]}
        )

    assert {k["kid"] for k in published} == {signing_key[0], thumbprint(new_key.public_key())}
    assert still_valid.status_code == 200
    assert refreshed.status_code == 200
    new_kid = jwt.get_unverified_header(refreshed.json()["access_token"])["kid"]
    assert new_kid == thumbprint(new_key.public_key())
