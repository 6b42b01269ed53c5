"""The mail auth sends about an account — a password reset link, and "someone
used your address" — composed here and sent in the background, so no answer
waits for SMTP (or tells by its timing whether an address has an account)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import urlencode

import structlog

from pind_auth.errors import MailDeliveryError
from pind_auth.settings import AuthSettings

log = structlog.get_logger(__name__)

AFTER_ANSWER_S = 0.05
"""How long background mail work waits, so that the answer leaves first."""


class Mailer(Protocol):
    """The port the mail adapter (:class:`pind_auth.adapters.smtp.SmtpMailer`) fills."""

    def compose(self, *, to: str, subject: str, body: str) -> EmailMessage: ...

    async def send(self, message: EmailMessage) -> None:
        """Deliver; :class:`~pind_auth.errors.MailDeliveryError` when it cannot."""
        ...


class AccountMail:
    def __init__(self, settings: AuthSettings, mailer: Mailer) -> None:
        self._s = settings
        self._mailer = mailer
        self._tasks: set[asyncio.Task[None]] = set()

    def reset(self, to: str, token: str) -> EmailMessage:
        link = f"{self._s.reset_url}?{urlencode({'token': token})}"
        minutes = max(1, self._s.reset_token_ttl_s // 60)
        body = (
            "Someone (we hope you) asked to reset the password of your pind account.\n\n"
            f"Open this link within {minutes} minutes to choose a new password:\n{link}\n\n"
            f"Or enter this reset code: {token}\n\n"
            "The link works once. If you did not ask for it, ignore this mail; "
            "your password stays as it is.\n"
        )
        return self._mailer.compose(to=to, subject="Reset your pind password", body=body)

    def address_taken(self, to: str) -> EmailMessage:
        body = (
            "Someone tried to create a pind account with this e-mail address, "
            "which already has one.\n\nIf it was you, sign in, or reset your password "
            "if you forgot it. If not, you can ignore this mail.\n"
        )
        return self._mailer.compose(to=to, subject="Your pind account", body=body)

    def send_later(self, message: EmailMessage) -> None:
        self.in_background(self.deliver(message), "smtp-send")

    def in_background(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` (a delivery, or writing a token then mailing it) once
        the answer has left — started at once, it would slow the answer of a
        known address and tell it apart by timing; failures are logged."""
        task = asyncio.create_task(_logged(work, after_s=AFTER_ANSWER_S), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def deliver(self, message: EmailMessage) -> None:
        try:
            await self._mailer.send(message)
            log.info("mail sent", subject=message["Subject"])
        except MailDeliveryError as exc:
            log.error("mail not sent", subject=message["Subject"], error=str(exc))

    async def drain(self) -> None:
        """Wait for what is still being sent (at shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


async def _logged(work: Coroutine[Any, Any, None], *, after_s: float = 0.0) -> None:
    try:
        await asyncio.sleep(after_s)  # let the request's answer go out first
        await work
    except Exception:
        log.exception("background work failed")
