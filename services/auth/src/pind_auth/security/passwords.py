"""Password hashing (Argon2id) off the event loop, with a bound on concurrent hashes.

argon2-cffi releases the GIL while hashing, so hashes run in worker threads in
parallel up to ``concurrency``; requests beyond that wait their turn instead of
oversubscribing the cores (and memory: each hash takes ``memory_kib``). At most
``queue_limit`` wait: beyond that :class:`HashQueueFull` is raised at once, so a
flood of registrations or logins is refused (503) instead of making every
sign-in wait behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pind_auth.metrics import HASH_QUEUE, HASH_QUEUE_FULL, PASSWORD_HASH_SECONDS


class HashQueueFull(Exception):
    """Every slot busy and ``queue_limit`` hashes already waiting."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"password-hash queue full; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


def normalise_password(password: str) -> str:
    """NFKC, as NIST 800-63B asks, so the same password typed on two
    keyboards (composed or decomposed Hangul, full-width digits) matches."""
    return unicodedata.normalize("NFKC", password)


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    new_hash: str | None = None  # set when the stored hash used outdated parameters


class PasswordHashing:
    """Argon2id hashes computed in threads; at most ``concurrency`` at once."""

    def __init__(
        self,
        *,
        time_cost: int,
        memory_kib: int,
        parallelism: int,
        concurrency: int,
        queue_limit: int = 32,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=Type.ID,
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._queue_limit = queue_limit
        self._waiting = 0
        # Verified against when an account does not exist, so a login for an
        # unknown address costs the same as one with a wrong password.
        self._decoy = self._hasher.hash("pind decoy password, never a real one")

    def hash_sync(self, password: str) -> str:
        started = time.perf_counter()
        try:
            return self._hasher.hash(normalise_password(password))
        finally:
            PASSWORD_HASH_SECONDS.labels("hash").observe(time.perf_counter() - started)

    def verify_sync(self, stored: str | None, password: str) -> Verification:
        started = time.perf_counter()
        try:
            try:
                self._hasher.verify(stored or self._decoy, normalise_password(password))
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return Verification(ok=False)
            if stored is None:
                return Verification(ok=False)
            if self._hasher.check_needs_rehash(stored):
                return Verification(
                    ok=True, new_hash=self._hasher.hash(normalise_password(password))
                )
            return Verification(ok=True)
        finally:
            PASSWORD_HASH_SECONDS.labels("verify").observe(time.perf_counter() - started)

    async def hash(self, password: str) -> str:
        """The Argon2id hash of ``password``; :class:`HashQueueFull` when the queue is."""
        async with self._slot():
            return await asyncio.to_thread(self.hash_sync, password)

    async def verify(self, stored: str | None, password: str) -> Verification:
        """Check ``password`` against ``stored`` (``None``: no such account,
        checked against a decoy so the time is the same)."""
        async with self._slot():
            return await asyncio.to_thread(self.verify_sync, stored, password)

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        if self._slots.locked() and self._waiting >= self._queue_limit:
            HASH_QUEUE_FULL.inc()
            # Roughly when the queue ahead will have drained (a hash takes ~0.1 s).
            raise HashQueueFull(max(1, math.ceil(self._waiting * 0.1 / self._concurrency)))
        self._waiting += 1
        HASH_QUEUE.inc()
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
            HASH_QUEUE.dec()
        try:
            yield
        finally:
            self._slots.release()
