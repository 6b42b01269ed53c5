"""Errors a handler raises to tell the kit what to do with an event."""

from __future__ import annotations


class TransientError(Exception):
    """A failure that may pass on retry (network, timeout, 5xx, throttling):
    the kit retries with bounded exponential backoff, then dead-letters."""


class AlreadyProcessed(Exception):
    """This consumer has already committed the effects of this event."""


class UndecodableEvent(Exception):
    """The message's headers or value do not match the topic's contract."""
