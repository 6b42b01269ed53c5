"""Password policy (NIST 800-63B) and Argon2id hashing, without the service."""

from __future__ import annotations

import asyncio
import unicodedata

import pytest
from argon2 import PasswordHasher
from hypothesis import given, settings
from hypothesis import strategies as st

from pind_auth.emails import EmailRejected, lookup_key, parse_email
from pind_auth.security.passwords import PasswordHashing
from pind_auth.security.policy import PasswordPolicy, common_passwords

POLICY = PasswordPolicy(min_length=10, max_length=128)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("abc123def", "password_too_short"),
        ("가" * 129, "password_too_long"),
        ("1234567890", "password_common"),
        ("QWERTYUIOP", "password_common"),  # case does not hide it
        ("iloveyou2024!!", "password_common"),  # nor digits and symbols around it
        ("football  ", "password_common"),  # nor spaces
        ("aaaaaaaaaaaaaaaa", "password_repetitive"),
        ("pass word 12345", None),
    ],
)
def test_policy_rules(password: str, rule: str | None) -> None:
    violation = POLICY.check(password)
    assert (violation.code if violation else None) == rule


def test_long_passphrases_of_any_script_are_welcome() -> None:
    for password in (
        "correct horse battery staple",
        "서울 성수동 카페 골목 산책",
        "🍜 at 3am in Busan",
    ):
        assert POLICY.check(password) is None, password


def test_length_counts_characters_after_normalisation() -> None:
    decomposed = unicodedata.normalize("NFD", "가나다라마 바사")  # 7 syllables, 15 code points
    assert len(decomposed) >= 10
    violation = POLICY.check(decomposed)
    assert violation is not None and violation.code == "password_too_short"


def test_a_password_built_from_the_address_is_refused() -> None:
    violation = POLICY.check("minji.kim1990", email="Minji.Kim@example.com")
    assert violation is not None and violation.code == "password_like_email"
    assert POLICY.check("minji.kim walks to jeju", email="minji.kim@example.com") is None


def test_the_bundled_list_is_large_and_lower_case() -> None:
    words = common_passwords()
    assert len(words) >= 25_000
    assert "password" in words and "qwertyuiop" in words
    assert all(w == w.casefold() for w in list(words)[:1000])


def test_addresses_are_normalised_for_matching() -> None:
    address = parse_email("  Jane.Doe@Example.COM ")
    assert address.address == "Jane.Doe@example.com"
    assert address.key == "jane.doe@example.com"
    assert lookup_key("JANE.DOE@example.com") == address.key
    with pytest.raises(EmailRejected):
        parse_email("jane@@example.com")
    assert lookup_key("  Not An Address ") == "not an address"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_policy_never_fails_on_any_text(password: str) -> None:
    violation = POLICY.check(password, email="someone@example.com")
    assert violation is None or violation.message


async def test_hashing_verifies_and_asks_for_a_rehash_when_parameters_change() -> None:
    weak = PasswordHashing(time_cost=1, memory_kib=8192, parallelism=1, concurrency=2)
    strong = PasswordHashing(time_cost=2, memory_kib=16384, parallelism=1, concurrency=2)
    stored = await weak.hash("seoul forest picnic")

    assert (await weak.verify(stored, "seoul forest picnic")).new_hash is None
    upgraded = await strong.verify(stored, "seoul forest picnic")
    assert upgraded.ok and upgraded.new_hash is not None
    assert not PasswordHasher(time_cost=2, memory_cost=16384, parallelism=1).check_needs_rehash(
        upgraded.new_hash
    )
    assert not (await strong.verify(stored, "seoul forest picnic!")).ok
    assert not (await strong.verify(None, "seoul forest picnic")).ok  # no account: decoy
    assert not (await strong.verify("not a hash", "x")).ok


async def test_composed_and_decomposed_hangul_are_the_same_password() -> None:
    hashing = PasswordHashing(time_cost=1, memory_kib=8192, parallelism=1, concurrency=1)
    stored = await hashing.hash("\uac00\ub098\ub2e4 garden path")  # 가나다, composed
    assert (await hashing.verify(stored, "\u1100\u1161\u1102\u1161\u1103\u1161 garden path")).ok


async def test_hashing_does_not_block_the_event_loop() -> None:
    hashing = PasswordHashing(time_cost=2, memory_kib=32768, parallelism=1, concurrency=2)

    task = asyncio.create_task(hashing.hash("a password hashed in a thread"))
    await asyncio.sleep(0)  # the task starts and hands the hash to a worker thread
    await asyncio.sleep(0)

    # Were the hash computed on the loop, the task would have finished in its first step.
    assert not task.done()
    assert (await task).startswith("$argon2id$")
