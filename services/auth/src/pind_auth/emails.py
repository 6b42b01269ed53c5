"""E-mail addresses: validation and the two forms we keep of one address."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

MAX_EMAIL_LENGTH = 254


class EmailRejected(ValueError):
    """Not a deliverable-looking address; the message says why."""


@dataclass(frozen=True, slots=True)
class EmailAddress:
    address: str  # trimmed, domain lower-cased (IDNA-normalised): where mail goes
    key: str  # the whole address case-folded: one account per key

    @property
    def local_part(self) -> str:
        return self.address.rpartition("@")[0]


def parse_email(raw: str) -> EmailAddress:
    """Validate syntax (no DNS look-up) and normalise; raises :class:`EmailRejected`."""
    candidate = raw.strip()
    if len(candidate) > MAX_EMAIL_LENGTH:
        raise EmailRejected("The e-mail address is too long.")
    try:
        valid = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as exc:
        raise EmailRejected(str(exc)) from exc
    return EmailAddress(address=valid.normalized, key=valid.normalized.casefold())


def lookup_key(raw: str) -> str:
    """The key an attempt is counted under, even when ``raw`` is no valid address
    (so a login with a malformed name is throttled like any other)."""
    try:
        return parse_email(raw).key
    except EmailRejected:
        return raw.strip().casefold()[:MAX_EMAIL_LENGTH]
