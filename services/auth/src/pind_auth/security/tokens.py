"""Access tokens (EdDSA JWTs, RFC 9068 profile) and opaque refresh/reset tokens.

Auth signs access tokens with its key ring's signer and verifies them with
the ring's public keys, by ``kid``. The checks themselves are the kit's
(:mod:`pind_kit.tokens`, the same the gateway runs): exactly one algorithm,
``EdDSA``; ``alg: none``, HMAC with the public key as secret, unknown keys,
expired or not-yet-valid tokens, other audiences or issuers and tampered
signatures are all refused.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pind_auth.security.keys import KeyRing
from pind_kit.tokens import (
    ALGORITHM,
    DEFAULT_LEEWAY_S,
    TOKEN_TYPE,
    AccessClaims,
    AccessTokenDecoder,
    InvalidAccessToken,
    key_id,
)

__all__ = [
    "ALGORITHM",
    "TOKEN_TYPE",
    "AccessClaims",
    "AccessTokenIssuer",
    "AccessTokenVerifier",
    "InvalidAccessToken",
    "IssuedAccessToken",
    "digest",
    "new_opaque_token",
]


@dataclass(frozen=True, slots=True)
class IssuedAccessToken:
    token: str
    expires_in: int


class AccessTokenIssuer:
    def __init__(self, keys: KeyRing, *, issuer: str, audience: str, ttl_s: int) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._ttl_s = ttl_s

    def issue(
        self, user_id: UUID, session_id: UUID, now: datetime, *, ttl_s: int | None = None
    ) -> IssuedAccessToken:
        ttl_s = ttl_s or self._ttl_s
        issued = int(now.timestamp())
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user_id),
            "sid": str(session_id),
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_s,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(
            claims,
            self._keys.signer,
            algorithm=ALGORITHM,
            headers={"kid": self._keys.signer_kid, "typ": TOKEN_TYPE},
        )
        return IssuedAccessToken(token, ttl_s)


class AccessTokenVerifier:
    """Verifies access tokens with a fixed set of public keys, by ``kid``."""

    def __init__(
        self,
        public_keys: Mapping[str, Ed25519PublicKey],
        *,
        issuer: str,
        audience: str,
        leeway_s: float = DEFAULT_LEEWAY_S,
        cache_size: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = dict(public_keys)
        self._decoder = AccessTokenDecoder(issuer=issuer, audience=audience, leeway_s=leeway_s)
        self._leeway_s = leeway_s
        # A client sends the same token with every request until it expires: a
        # token whose signature was checked once needs only its times re-checked.
        self._cache: OrderedDict[str, AccessClaims] = OrderedDict()
        self._cache_size = cache_size
        self._clock = clock

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid token; raises :class:`InvalidAccessToken`."""
        if self._cache_size:
            cached = self._cache.get(token)
            if cached is not None:
                if self._clock() - self._leeway_s < cached.expires_at:
                    self._cache.move_to_end(token)
                    return cached
                del self._cache[token]
                raise InvalidAccessToken("expired")
        claims = self._verify_signed(token)
        if self._cache_size:
            self._cache[token] = claims
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return claims

    def _verify_signed(self, token: str) -> AccessClaims:
        kid = key_id(token)
        key = self._keys.get(kid)
        if key is None:
            raise InvalidAccessToken(f"unknown key id {kid!r}")
        return self._decoder.decode(token, kid, key)


def new_opaque_token() -> str:
    """256 random bits, URL-safe: a refresh or reset token."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> bytes:
    """What is stored of an opaque token: its SHA-256 (the token has 256 bits of
    entropy, so a fast hash is enough and a database leak reveals no token)."""
    return hashlib.sha256(token.encode()).digest()
