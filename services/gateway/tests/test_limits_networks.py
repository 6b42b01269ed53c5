"""Guests are counted by network where one subscriber holds many addresses:
an IPv6 /64 rotates freely (issue 13, finding 8)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.errors import RateLimited
from pind_gateway.domain.requester import Requester
from pind_gateway.limits.service import Quotas, charge_submission, guest_network


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:198.51.100.9", "198.51.100.9"),
        (None, "unknown"),
        ("not an address", "not an address"),
    ],
)
def test_guest_network(address: str | None, network: str) -> None:
    assert guest_network(address) == network


async def test_rotating_ipv6_addresses_in_one_64_share_one_guest_budget(
    context: GatewayContext,
) -> None:
    quotas = Quotas(window_s=3600, guest=3, user=100)
    now = datetime.now(UTC)
    net = uuid.uuid4().hex
    prefix = f"2001:db8:{net[:4]}:{net[4:8]}"  # a network of this test only
    for host in range(3):
        await charge_submission(context.reader, quotas, Requester(), f"{prefix}::{host + 1}", now)
    with pytest.raises(RateLimited):
        await charge_submission(context.reader, quotas, Requester(), f"{prefix}::beef", now)
    # the next network along is another subscriber: not affected
    other = f"2001:db8:{net[:4]}:{int(net[4:8], 16) ^ 1:x}::1"
    await charge_submission(context.reader, quotas, Requester(), other, now)
