"""Forged and stale access tokens are refused, by the verifier and by the
running service; the JWKS publishes exactly the keys that verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from jwt.algorithms import OKPAlgorithm

from pind_auth.security.keys import thumbprint
from pind_auth.security.tokens import AccessTokenVerifier, InvalidAccessToken

SigningKey = tuple[str, Ed25519PrivateKey]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def _claims(settings: Any, user_id: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": user_id,
        "sid": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(key: SigningKey, claims: dict[str, Any], **header: Any) -> str:
    kid, private = key
    return jwt.encode(
        claims, private, algorithm="EdDSA", headers={"kid": kid, "typ": "at+jwt", **header}
    )


@pytest.fixture
async def user_id(api: Any, new_email: Callable[[], str]) -> str:
    address = new_email()
    await api.register(address)
    body = await api.login(address)
    me = await api.me(body["access_token"])
    return str(me.json()["id"])


def _forgeries(settings: Any, key: SigningKey, user_id: str) -> dict[str, str]:
    kid, private = key
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    raw_public = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)["x"]
    good = _claims(settings, user_id)
    stranger = Ed25519PrivateKey.generate()

    def hs256(secret: bytes) -> str:
        signing_input = _segments({"alg": "HS256", "typ": "at+jwt", "kid": kid}, good)
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(mac)}"

    genuine = _sign(key, good)
    head, _payload, signature = genuine.split(".")
    other_subject = _b64(json.dumps({**good, "sub": str(uuid.uuid4())}).encode())
    return {
        "alg none": _segments({"alg": "none", "typ": "at+jwt", "kid": kid}, good) + ".",
        "alg none, no signature part": _segments({"alg": "none", "kid": kid}, good),
        "HS256 keyed with the public PEM": hs256(public_pem),
        "HS256 keyed with the raw public key": hs256(raw_public.encode()),
        "unknown kid": _sign((thumbprint(stranger.public_key()), stranger), good),
        "our kid, another key": _sign((kid, stranger), good),
        "no kid": jwt.encode(good, private, algorithm="EdDSA", headers={"typ": "at+jwt"}),
        "expired": _sign(key, _claims(settings, user_id, iat=1, nbf=1, exp=int(time.time()) - 60)),
        "not yet valid": _sign(key, _claims(settings, user_id, nbf=int(time.time()) + 600)),
        "wrong audience": _sign(key, _claims(settings, user_id, aud="someone-else")),
        "audience list": _sign(key, _claims(settings, user_id, aud=[settings.jwt_audience, "x"])),
        "wrong issuer": _sign(key, _claims(settings, user_id, iss="https://evil.example")),
        "no expiry": _sign(key, _claims(settings, user_id, exp=None)),
        "tampered payload": f"{head}.{other_subject}.{signature}",
        "tampered signature": _flip(genuine, -10),
        "not an access token": _sign(key, good, typ="JWT"),
        "garbage": "not.a.jwt",
    }


async def test_every_forgery_is_refused_by_the_service(
    client: httpx.AsyncClient, auth_app: FastAPI, signing_key: SigningKey, user_id: str
) -> None:
    settings = auth_app.state.settings
    genuine = _sign(signing_key, _claims(settings, user_id))
    assert (await client.get("/api/v1/auth/me", headers=_bearer(genuine))).status_code == 200

    for name, token in _forgeries(settings, signing_key, user_id).items():
        response = await client.get("/api/v1/auth/me", headers=_bearer(token))
        assert response.status_code == 401, name
        assert response.json()["code"] == "not_authenticated", name
        assert response.headers["www-authenticate"].startswith("Bearer"), name


async def test_every_forgery_is_refused_by_the_verifier(
    auth_app: FastAPI, signing_key: SigningKey, user_id: str
) -> None:
    settings = auth_app.state.settings
    verifier = AccessTokenVerifier(
        auth_app.state.key_ring.public_keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    claims = verifier.verify(_sign(signing_key, _claims(settings, user_id)))
    assert str(claims.user_id) == user_id

    for name, token in _forgeries(settings, signing_key, user_id).items():
        with pytest.raises(InvalidAccessToken):
            verifier.verify(token)
            pytest.fail(f"accepted: {name}")


async def test_missing_bearer_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def test_issued_tokens_carry_the_documented_claims(
    api: Any, new_email: Callable[[], str], auth_app: FastAPI, signing_key: SigningKey
) -> None:
    address = new_email()
    await api.register(address)
    token = (await api.login(address))["access_token"]

    header = jwt.get_unverified_header(token)
    settings = auth_app.state.settings
    claims = jwt.decode(
        token,
        signing_key[1].public_key(),
        algorithms=["EdDSA"],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    assert header == {"alg": "EdDSA", "typ": "at+jwt", "kid": signing_key[0]}
    assert set(claims) == {"iss", "aud", "sub", "sid", "iat", "nbf", "exp", "jti"}
    assert claims["exp"] - claims["iat"] == settings.legacy_access_token_ttl_s


async def test_jwks_publishes_the_verifying_key(
    client: httpx.AsyncClient, signing_key: SigningKey
) -> None:
    response = await client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert "max-age=" in response.headers["cache-control"]
    keys = response.json()["keys"]
    assert [k["kid"] for k in keys] == [signing_key[0]]
    published = OKPAlgorithm.from_jwk(json.dumps(keys[0]))
    assert isinstance(published, type(signing_key[1].public_key()))
    assert keys[0] | {"kid": None} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": OKPAlgorithm.to_jwk(signing_key[1].public_key(), as_dict=True)["x"],
        "alg": "EdDSA",
        "use": "sig",
        "kid": None,
    }


def _flip(token: str, at: int) -> str:
    """The token with one base64 character of its signature changed."""
    chars = list(token)
    chars[at] = "A" if chars[at] != "A" else "B"
    return "".join(chars)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_cached_verification_still_enforces_expiry(signing_key: SigningKey) -> None:
    kid, private = signing_key
    now = [time.time()]
    verifier = AccessTokenVerifier(
        {kid: private.public_key()},
        issuer="pind-auth",
        audience="pind",
        leeway_s=0,
        cache_size=8,
        clock=lambda: now[0],
    )
    token = _sign(
        signing_key,
        {
            "iss": "pind-auth",
            "aud": "pind",
            "sub": str(uuid.uuid4()),
            "iat": int(now[0]),
            "nbf": int(now[0]),
            "exp": int(now[0]) + 60,
            "jti": "x",
        },
    )

    first, second = verifier.verify(token), verifier.verify(token)
    assert first == second
    with pytest.raises(InvalidAccessToken):
        verifier.verify(_flip(token, -10))  # a different string: checked in full
    now[0] += 61
    with pytest.raises(InvalidAccessToken):
        verifier.verify(token)
