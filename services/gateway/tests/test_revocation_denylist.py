"""The deny list's rules, without infrastructure: which tokens a row refuses
(whole-second ``iat`` against ``not_before``), how rows merge, when they are
forgotten, what each ``pind.user.v1`` event asks for, the NOTIFY payload, and
that no token is accepted before the table was read."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from pind_contracts import UserChanged
from pind_gateway.auth.denials import (
    EVERY_SESSION,
    KEEP,
    Denial,
    DenyList,
    DenyListUnavailable,
    TokenRevoked,
)
from pind_gateway.auth.revocations import denials_of

NOW = datetime(2026, 12, 3, 12, 0, 0, 500_000, tzinfo=UTC)  # half a second in
T = int(NOW.timestamp())  # the whole second


def deny_list(now: datetime = NOW) -> DenyList:
    return DenyList(clock=lambda: now.timestamp())


def later(seconds: float = 3600) -> datetime:
    return NOW + timedelta(seconds=seconds)


def test_a_revoked_session_refuses_only_its_tokens() -> None:
    user, ended, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    denials = deny_list()
    denials.apply(Denial(user, ended, None, later()))
    assert denials.refuses(user, ended, T + 100)  # every token of it, however late
    assert not denials.refuses(user, other, T - 100)
    assert not denials.refuses(uuid.uuid4(), other, T - 100)


def test_not_before_counts_whole_seconds() -> None:
    user = uuid.uuid4()
    denials = deny_list()
    denials.apply(Denial(user, EVERY_SESSION, NOW, later()))
    assert denials.refuses(user, uuid.uuid4(), T - 1)
    # Issued in the reset's own second: after it as far as a token can say
    # (the sessions revoked with it have rows of their own).
    assert not denials.refuses(user, uuid.uuid4(), T)
    assert not denials.refuses(user, None, T + 1)


def test_a_deleted_account_refuses_everything_and_merging_keeps_the_stricter() -> None:
    user = uuid.uuid4()
    denials = deny_list()
    denials.apply(Denial(user, EVERY_SESSION, None, later()))
    denials.apply(Denial(user, EVERY_SESSION, NOW, later()))  # an older reset, replayed
    assert denials.refuses(user, None, T + 10_000)

    reset = uuid.uuid4()
    denials.apply(Denial(reset, EVERY_SESSION, NOW, later()))
    denials.apply(Denial(reset, EVERY_SESSION, NOW - timedelta(seconds=60), later()))
    assert denials.refuses(reset, None, T - 1)  # the earlier not_before did not lower it


def test_rows_are_forgotten_when_no_token_they_deny_can_live() -> None:
    user, session = uuid.uuid4(), uuid.uuid4()
    denials = deny_list(now=later(7200))
    denials.apply(Denial(user, session, None, later()))
    denials.apply(Denial(user, EVERY_SESSION, None, later()))
    assert not denials.refuses(user, session, T)
    denials.replace([Denial(user, session, None, later(8000))])
    assert denials.refuses(user, session, T) and len(denials) == 1


def test_the_announcement_carries_the_row() -> None:
    user, session = uuid.uuid4(), uuid.uuid4()
    receiver = deny_list()
    for denial in (Denial(user, session, None, later()), Denial(user, EVERY_SESSION, NOW, later())):
        receiver._on_announcement(denial.announcement())
    assert receiver.refuses(user, session, T + 5) and receiver.refuses(user, None, T - 1)
    assert not receiver.refuses(user, None, T)
    receiver._on_announcement('{"user": "not a uuid"}')  # ignored
    receiver._on_announcement("not json")
    assert len(receiver) == 2


async def test_no_token_is_accepted_before_the_list_was_read() -> None:
    user = uuid.uuid4()
    denials = DenyList(ready_timeout_s=0.05)
    with pytest.raises(DenyListUnavailable) as unavailable:
        await denials.check(user, None, T)
    assert unavailable.value.status_code == 503
    denials.replace([Denial(user, EVERY_SESSION, None, later(10**6))])
    denials.ready.set()
    with pytest.raises(TokenRevoked) as revoked:
        await denials.check(user, None, T)
    assert (revoked.value.status_code, revoked.value.code) == (401, "token_revoked")
    await denials.check(uuid.uuid4(), None, T)  # anyone else passes


def test_what_each_event_denies() -> None:
    user, a, b = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    forget = NOW + KEEP
    assert denials_of(UserChanged(kind="registered", user_id=user, at=NOW)) == []
    assert denials_of(UserChanged(kind="deleted", user_id=user, at=NOW)) == [
        Denial(user, EVERY_SESSION, None, forget)
    ]
    logout = UserChanged(kind="sessions_revoked", user_id=user, at=NOW, session_ids=(a,))
    assert denials_of(logout) == [Denial(user, a, None, forget)]
    reset = UserChanged(
        kind="sessions_revoked", user_id=user, at=NOW, session_ids=(a, b), not_before=NOW
    )
    assert denials_of(reset) == [
        Denial(user, a, None, forget),
        Denial(user, b, None, forget),
        Denial(user, EVERY_SESSION, NOW, forget),
    ]
    old = UserChanged.model_validate_json(
        f'{{"kind": "deleted", "user_id": "{user}", "at": "2026-12-03T12:00:00Z"}}'
    )
    assert old.session_ids == () and old.not_before is None  # events from before still read
