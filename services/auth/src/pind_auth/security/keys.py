"""Ed25519 signing keys: loading, the active signer, and the published JWKS.

Rotation without logging anyone out: add the new key to ``jwt_key_dir``
(published at once, not yet signing), make it the signer once verifiers had
time to refetch the JWKS, then turn the old ``<name>.pem`` into
``<name>.pub.pem`` (published, can no longer sign) and remove it after the
longest access-token lifetime has passed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pind_auth.settings import AuthSettings

log = structlog.get_logger(__name__)

DEV_KEY_DIR = "auth-keys"


class KeyConfigurationError(RuntimeError):
    """The configured signing keys are missing, unreadable or inconsistent."""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public: Ed25519PublicKey) -> dict[str, str]:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}


def thumbprint(public: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256): the key's ``kid``, derived from the
    key itself so that no two keys can share one by mistake."""
    canonical = json.dumps(public_jwk(public), sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode()).digest())


@dataclass(frozen=True, slots=True)
class KeyRing:
    """Every published public key by kid, and the one key that signs."""

    signer_kid: str
    signer: Ed25519PrivateKey
    public_keys: dict[str, Ed25519PublicKey]

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {**public_jwk(key), "kid": kid, "alg": "EdDSA", "use": "sig"}
                for kid, key in sorted(self.public_keys.items())
            ]
        }


def _load_private(pem: bytes, origin: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyConfigurationError(f"{origin}: not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyConfigurationError(f"{origin}: not an Ed25519 key")
    return key


def _load_public(pem: bytes, origin: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise KeyConfigurationError(f"{origin}: not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyConfigurationError(f"{origin}: not an Ed25519 key")
    return key


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def write_new_key(path: Path) -> Ed25519PrivateKey:
    """Generate a key into a new file readable by its owner only; raises
    FileExistsError rather than overwrite one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    key = Ed25519PrivateKey.generate()
    with os.fdopen(fd, "wb") as out:
        out.write(private_pem(key))
    return key


def ensure_dev_key(run_dir: Path) -> Path:
    """The development key directory, with a key generated on first use."""
    directory = run_dir / DEV_KEY_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "dev.pem"
    try:
        write_new_key(path)
    except FileExistsError:
        return directory
    log.warning("generated a development signing key", path=str(path))
    return directory


def load_key_ring(settings: AuthSettings) -> KeyRing:
    """The keys named by the settings (see :class:`AuthSettings`)."""
    private: dict[str, Ed25519PrivateKey] = {}
    public: dict[str, Ed25519PublicKey] = {}
    default_signer: str | None = None

    key_dir = settings.jwt_key_dir
    if key_dir is None and settings.jwt_signing_key is None and settings.dev:
        key_dir = ensure_dev_key(settings.run_dir)
    if key_dir is not None:
        if not key_dir.is_dir():
            raise KeyConfigurationError(f"jwt_key_dir {key_dir} is not a directory")
        for path in sorted(key_dir.glob("*.pem")):
            if path.name.endswith(".pub.pem"):
                pub = _load_public(path.read_bytes(), str(path))
                public[thumbprint(pub)] = pub
            else:
                key = _load_private(path.read_bytes(), str(path))
                kid = thumbprint(key.public_key())
                private[kid] = key
                default_signer = kid  # the name that sorts last
    if settings.jwt_signing_key is not None:
        key = _load_private(settings.jwt_signing_key.get_secret_value().encode(), "jwt_signing_key")
        default_signer = thumbprint(key.public_key())
        private[default_signer] = key

    signer_kid = settings.jwt_active_kid or default_signer
    if signer_kid is None:
        raise KeyConfigurationError("no private signing key found")
    if signer_kid not in private:
        raise KeyConfigurationError(f"jwt_active_kid {signer_kid!r} is not a loaded private key")
    public.update({kid: key.public_key() for kid, key in private.items()})
    log.info("signing keys loaded", signer=signer_kid, published=sorted(public))
    return KeyRing(signer_kid=signer_kid, signer=private[signer_kid], public_keys=public)
