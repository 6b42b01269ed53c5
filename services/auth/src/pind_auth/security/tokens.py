"""Access tokens (EdDSA JWTs, RFC 9068 profile) and opaque refresh/reset tokens.

The verifier accepts exactly one algorithm, ``EdDSA``, with a key chosen by
``kid`` from a fixed set: ``alg: none``, HMAC with the public key as secret,
unknown keys, expired or not-yet-valid tokens, other audiences or issuers and
tampered signatures are all refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pind_auth.security.keys import KeyRing

ALGORITHM = "EdDSA"
TOKEN_TYPE = "at+jwt"  # noqa: S105  (the JWT `typ` of access tokens, RFC 9068)
REQUIRED_CLAIMS = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"]
MAX_TOKEN_LENGTH = 4096
# Compact JWS: three base64url parts, none empty (so `alg: none` tokens fail here).
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class InvalidAccessToken(Exception):
    """The access token must not be trusted; the message says why (for logs)."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: UUID
    session_id: UUID | None
    token_id: str
    issued_at: int
    expires_at: int


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
    def __init__(
        self,
        public_keys: Mapping[str, Ed25519PublicKey],
        *,
        issuer: str,
        audience: str,
        leeway_s: float = 5.0,
        cache_size: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = dict(public_keys)
        self._issuer = issuer
        self._audience = audience
        self._leeway_s = leeway_s
        self._jwt = jwt.PyJWT()
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
        header = _peek_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidAccessToken(f"algorithm {header.get('alg')!r} is not accepted")
        if header.get("typ") != TOKEN_TYPE:
            raise InvalidAccessToken(f"token type {header.get('typ')!r} is not an access token")
        kid = header.get("kid")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidAccessToken(f"unknown key id {kid!r}")
        try:
            claims = self._jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway_s,
                options={"require": REQUIRED_CLAIMS, "strict_aud": True},
            )
        except jwt.InvalidTokenError as exc:
            raise InvalidAccessToken(f"{type(exc).__name__}: {exc}") from exc
        try:
            user_id = UUID(claims["sub"])
            sid = claims.get("sid")
            session_id = UUID(sid) if isinstance(sid, str) else None
        except (ValueError, TypeError) as exc:
            raise InvalidAccessToken("malformed subject or session id") from exc
        return AccessClaims(
            user_id=user_id,
            session_id=session_id,
            token_id=str(claims["jti"]),
            issued_at=int(claims["iat"]),
            expires_at=int(claims["exp"]),
        )


def _peek_header(token: str) -> dict[str, Any]:
    """The JOSE header, read once and strictly, to choose the key; PyJWT then
    checks the whole token again. (PyJWT's own header read costs as much as a
    signature check.)"""
    if len(token) > MAX_TOKEN_LENGTH or not _COMPACT_JWS.fullmatch(token):
        raise InvalidAccessToken("malformed token")
    encoded = token.partition(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise InvalidAccessToken("malformed token header") from exc
    if not isinstance(header, dict):
        raise InvalidAccessToken("malformed token header")
    return header


def new_opaque_token() -> str:
    """256 random bits, URL-safe: a refresh or reset token."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> bytes:
    """What is stored of an opaque token: its SHA-256 (the token has 256 bits of
    entropy, so a fast hash is enough and a database leak reveals no token)."""
    return hashlib.sha256(token.encode()).digest()


def expiry(now: datetime, seconds: int) -> datetime:
    return now + timedelta(seconds=seconds)
