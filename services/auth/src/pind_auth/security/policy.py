"""Password policy after NIST SP 800-63B: length over composition.

No rules about character classes and no forced expiry. A password must be
long enough, not too long to hash, and not one that attackers try first: a
common password from a leaked-password list (bundled), one of those with a
few digits or symbols around it, one character repeated, or built from the
account's own e-mail address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from pind_auth.security.passwords import normalise_password

_EDGE_NOISE = re.compile(r"^[\d\W_]+|[\d\W_]+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords, lower case."""
    text = files("pind_auth.security").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("# "))


@dataclass(frozen=True, slots=True)
class PolicyViolation:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    min_length: int
    max_length: int

    def check(self, password: str, *, email: str | None = None) -> PolicyViolation | None:
        """The first rule ``password`` breaks, or ``None`` when it is acceptable."""
        normalised = normalise_password(password)
        length = len(normalised)
        if length < self.min_length:
            return PolicyViolation(
                "password_too_short",
                f"Use at least {self.min_length} characters; a few unrelated words work well.",
            )
        if length > self.max_length:
            return PolicyViolation(
                "password_too_long", f"Use at most {self.max_length} characters."
            )
        folded = normalised.casefold()
        if len(set(folded)) == 1:
            return PolicyViolation(
                "password_repetitive", "That password is one character repeated; choose another."
            )
        if self._is_common(folded):
            return PolicyViolation(
                "password_common",
                "That password is among the most commonly used ones; choose another.",
            )
        if email and self._is_built_from_email(folded, email):
            return PolicyViolation(
                "password_like_email", "The password must not be based on your e-mail address."
            )
        return None

    @staticmethod
    def _is_common(folded: str) -> bool:
        known = common_passwords()
        candidates = {folded, folded.replace(" ", ""), _EDGE_NOISE.sub("", folded)}
        return any(c in known for c in candidates if c)

    def _is_built_from_email(self, folded: str, email: str) -> bool:
        local = email.rpartition("@")[0].casefold()
        if len(local) < 3:
            return False
        # What is left once the address's name is taken out is all the secret there is.
        rest = folded.replace(local, "")
        return rest != folded and len(rest) < self.min_length
