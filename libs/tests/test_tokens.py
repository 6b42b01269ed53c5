"""pind_kit.tokens: the one strict access-token check auth and the gateway share.

A genuine token passes with its claims; every forgery or stale token is refused
with a reason, whichever step (header or decode) refuses it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pind_kit.tokens import (
    MAX_TOKEN_LENGTH,
    AccessClaims,
    AccessTokenDecoder,
    InvalidAccessToken,
    key_id,
    read_header,
)

KEY = Ed25519PrivateKey.generate()
KID = "k1"
DECODER = AccessTokenDecoder(issuer="pind-auth", audience="pind", leeway_s=0)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "pind-auth",
        "aud": "pind",
        "sub": str(uuid.uuid4()),
        "sid": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], key: Ed25519PrivateKey = KEY, **header: Any) -> str:
    return jwt.encode(
        claims, key, algorithm="EdDSA", headers={"kid": KID, "typ": "at+jwt", **header}
    )


def _check(token: str) -> AccessClaims:
    return DECODER.decode(token, key_id(token), KEY.public_key())


def test_a_genuine_token_gives_its_claims() -> None:
    claims = _claims()
    checked = _check(_sign(claims))
    assert checked == AccessClaims(
        user_id=uuid.UUID(claims["sub"]),
        session_id=uuid.UUID(claims["sid"]),
        token_id=claims["jti"],
        issued_at=claims["iat"],
        expires_at=claims["exp"],
        key_id=KID,
    )


def test_a_token_without_a_session_has_none() -> None:
    assert _check(_sign(_claims(sid=None))).session_id is None


def _hs256(secret: bytes) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": KID}).encode())
    signing_input = f"{header}.{_b64(json.dumps(_claims()).encode())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _unsigned(header: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(_claims()).encode())}."


def _raw_signed(header: dict[str, Any]) -> str:
    """Signed by our key, with a header PyJWT would not write."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(_claims()).encode())}"
    return f"{signing_input}.{_b64(KEY.sign(signing_input.encode()))}"


PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def _refused() -> dict[str, tuple[str, str]]:
    """name: (token, words of the reason); made when a test runs, so that a
    token meant to be valid has not expired since the module was imported."""
    now = int(time.time())
    return {
        "alg none": (_unsigned({"alg": "none", "typ": "at+jwt", "kid": KID}), "malformed token"),
        "HS256 keyed with the public key": (_hs256(PUBLIC_PEM), "algorithm 'HS256'"),
        "not an access token": (_sign(_claims(), typ="JWT"), "token type 'JWT'"),
        "no kid": (
            jwt.encode(_claims(), KEY, algorithm="EdDSA", headers={"typ": "at+jwt"}),
            "key id",
        ),
        "kid not a string": (_raw_signed({"alg": "EdDSA", "typ": "at+jwt", "kid": 7}), "key id"),
        "garbage": ("not.a.jwt", "malformed token header"),
        "header not an object": (f"{_b64(b'[1]')}.e30.c2ln", "malformed token header"),
        "too long": ("a" * MAX_TOKEN_LENGTH + ".b.c", "malformed token"),
        "another key": (_sign(_claims(), Ed25519PrivateKey.generate()), "InvalidSignatureError"),
        "expired": (_sign(_claims(iat=now - 600, nbf=now - 600, exp=now - 60)), "Expired"),
        "not yet valid": (_sign(_claims(nbf=now + 600)), "ImmatureSignatureError"),
        "issued in the future": (_sign(_claims(iat=now + 600)), "ImmatureSignatureError"),
        "wrong audience": (_sign(_claims(aud="someone-else")), "InvalidAudienceError"),
        "audience list": (_sign(_claims(aud=["pind", "x"])), "InvalidAudienceError"),
        "wrong issuer": (_sign(_claims(iss="https://evil.example")), "InvalidIssuerError"),
        "no expiry": (_sign(_claims(exp=None)), "exp"),
        "no nbf": (_sign(_claims(nbf=None)), "nbf"),
        "no jti": (_sign(_claims(jti=None)), "jti"),
        "subject not a uuid": (_sign(_claims(sub="alice")), "malformed subject"),
    }


@pytest.mark.parametrize("name", sorted(_refused()))
def test_forged_and_stale_tokens_are_refused_with_a_reason(name: str) -> None:
    token, reason = _refused()[name]
    with pytest.raises(InvalidAccessToken, match=reason):
        _check(token)


def test_a_tampered_payload_fails_the_signature() -> None:
    head, _payload, signature = _sign(_claims()).split(".")
    other = _b64(json.dumps(_claims()).encode())
    with pytest.raises(InvalidAccessToken, match="InvalidSignatureError"):
        _check(f"{head}.{other}.{signature}")


def test_the_leeway_admits_a_just_expired_token() -> None:
    now = int(time.time())
    token = _sign(_claims(iat=now - 100, nbf=now - 100, exp=now - 2))
    lenient = AccessTokenDecoder(issuer="pind-auth", audience="pind", leeway_s=30)
    assert lenient.decode(token, KID, KEY.public_key()).expires_at == now - 2
    with pytest.raises(InvalidAccessToken, match="Expired"):
        DECODER.decode(token, KID, KEY.public_key())


def test_read_header_returns_the_checked_header() -> None:
    assert read_header(_sign(_claims())) == {"alg": "EdDSA", "typ": "at+jwt", "kid": KID}


@pytest.mark.parametrize(
    ("issuer", "audience", "leeway_s"), [("", "pind", 0.0), ("pind-auth", "", 0.0), ("i", "a", -1)]
)
def test_a_decoder_needs_an_issuer_an_audience_and_a_leeway(
    issuer: str, audience: str, leeway_s: float
) -> None:
    with pytest.raises(ValueError, match=r"issuer and audience|leeway_s"):
        AccessTokenDecoder(issuer=issuer, audience=audience, leeway_s=leeway_s)
