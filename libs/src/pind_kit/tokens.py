"""Access tokens: the one strict check of an EdDSA JWT (RFC 9068 profile).

Auth issues the tokens and verifies them with its own key files; the gateway
verifies them with the keys auth publishes (JWKS). Both check them here, the
same way, and each keeps its own key source:

1. :func:`read_header` reads the JOSE header once, strictly: a compact JWS of
   three non-empty base64url parts (so ``alg: none`` fails here), at most
   :data:`MAX_TOKEN_LENGTH` characters, ``alg`` exactly ``EdDSA``, ``typ``
   ``at+jwt`` and a ``kid`` naming the key. Nothing is trusted yet: the kid
   only chooses the key.
2. :meth:`AccessTokenDecoder.decode` checks the signature with that key (the
   algorithm pinned, so HMAC keyed with the public key is refused), then
   ``iss``, ``aud`` (one string, equal), ``exp``, ``nbf`` and ``iat`` (within a
   leeway) and requires every claim of :data:`REQUIRED_CLAIMS`.

Every refusal is an :class:`InvalidAccessToken` whose message says why (for
logs, not for the caller).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ALGORITHM = "EdDSA"
TOKEN_TYPE = "at+jwt"  # noqa: S105  (the JWT `typ` of access tokens, RFC 9068; not a secret)
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "nbf", "exp", "jti")
MAX_TOKEN_LENGTH = 4096
DEFAULT_LEEWAY_S = 5.0
# Compact JWS: three base64url parts, none empty.
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class InvalidAccessToken(Exception):
    """The access token must not be trusted; the message says why (for logs)."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: UUID
    """``sub``."""
    session_id: UUID | None
    """``sid``: the sign-in session (refresh-token family), if the token names one."""
    token_id: str
    """``jti``."""
    issued_at: int
    """``iat``, whole seconds since the epoch."""
    expires_at: int
    """``exp``, whole seconds since the epoch."""
    key_id: str
    """The ``kid`` of the key that verified the signature."""


def read_header(token: str) -> dict[str, Any]:
    """The token's JOSE header, read strictly; raises :class:`InvalidAccessToken`
    unless the token is a compact JWS of an access token (``alg`` ``EdDSA``,
    ``typ`` ``at+jwt``) naming its key (``kid``, a string).

    Read once here, not also with ``jwt.get_unverified_header``: PyJWT's own
    header read costs about as much as a signature check."""
    if len(token) > MAX_TOKEN_LENGTH or not _COMPACT_JWS.fullmatch(token):
        raise InvalidAccessToken("malformed token")
    encoded = token.partition(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, binascii.Error, RecursionError) as exc:
        raise InvalidAccessToken("malformed token header") from exc
    if not isinstance(header, dict):
        raise InvalidAccessToken("malformed token header")
    if header.get("alg") != ALGORITHM:
        raise InvalidAccessToken(f"algorithm {header.get('alg')!r} is not accepted")
    if header.get("typ") != TOKEN_TYPE:
        raise InvalidAccessToken(f"token type {header.get('typ')!r} is not an access token")
    if not isinstance(header.get("kid"), str):
        raise InvalidAccessToken(f"no usable key id ({header.get('kid')!r})")
    return header


def key_id(token: str) -> str:
    """The ``kid`` a token's (strictly read) header names: which key to check it
    with; raises :class:`InvalidAccessToken` (see :func:`read_header`)."""
    kid: str = read_header(token)["kid"]
    return kid


class AccessTokenDecoder:
    """Checks a token's signature and claims with a key the caller chose by kid.

    ``issuer`` and ``audience`` must match exactly; ``leeway_s`` is allowed on
    ``exp``, ``nbf`` and ``iat``.
    """

    def __init__(self, *, issuer: str, audience: str, leeway_s: float = DEFAULT_LEEWAY_S) -> None:
        if not issuer or not audience:
            raise ValueError("an access-token decoder needs a non-empty issuer and audience")
        if leeway_s < 0:
            raise ValueError(f"leeway_s must not be negative, got {leeway_s}")
        self.issuer = issuer
        self.audience = audience
        self.leeway_s = leeway_s
        self._jwt = jwt.PyJWT()

    def decode(self, token: str, kid: str, key: Ed25519PublicKey) -> AccessClaims:
        """The claims of ``token`` checked with ``key`` (the key of ``kid``, as
        :func:`key_id` read it); raises :class:`InvalidAccessToken`."""
        try:
            claims = self._jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": list(REQUIRED_CLAIMS), "strict_aud": True},
            )
        except jwt.InvalidTokenError as exc:
            raise InvalidAccessToken(f"{type(exc).__name__}: {exc}") from exc
        try:
            user_id = UUID(str(claims["sub"]))
            sid = claims.get("sid")
            session_id = UUID(sid) if isinstance(sid, str) else None
            return AccessClaims(
                user_id=user_id,
                session_id=session_id,
                token_id=str(claims["jti"]),
                issued_at=int(claims["iat"]),
                expires_at=int(claims["exp"]),
                key_id=kid,
            )
        except (ValueError, TypeError) as exc:
            raise InvalidAccessToken("malformed subject, session id or times") from exc
