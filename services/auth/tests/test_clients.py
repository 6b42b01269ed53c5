"""The client address behind trusted proxies (issue 13, finding 1), and the
keys throttles count clients under."""

from __future__ import annotations

import ipaddress

import pytest

from pind_auth.clients import account_address_key, address_key, network_key, resolve_client

PODS = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # A peer outside the proxy networks is the client, whatever it claims.
        ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
        # Any pod of the gateway (a network, not one address) is believed.
        ("10.4.7.19", ["198.51.100.1"], "198.51.100.1"),
        ("10.200.0.3", ["198.51.100.1"], "198.51.100.1"),
        ("fd00::17", ["2001:db8::5"], "2001:db8::5"),
        # What the client wrote itself (left of the gateway's hop) is ignored.
        ("10.4.7.19", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),
        ("10.4.7.19", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),
        # Proxies in a chain are skipped; every hop a proxy: the farthest one.
        ("10.4.7.19", ["198.51.100.1, 10.1.1.1"], "198.51.100.1"),
        ("10.4.7.19", ["10.9.9.9"], "10.9.9.9"),
        # No header, or a garbled hop: the proxy that wrote it.
        ("10.4.7.19", [], "10.4.7.19"),
        ("10.4.7.19", ["198.51.100.1, not-an-address"], "10.4.7.19"),
        ("10.4.7.19", ["[2001:db8::9]"], "2001:db8::9"),
    ],
)
def test_the_client_behind_trusted_proxies(peer: str, forwarded: list[str], client: str) -> None:
    assert resolve_client(peer, forwarded, PODS) == client


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert resolve_client("127.0.0.1", ["198.51.100.1"], []) == "127.0.0.1"
    assert resolve_client(None, ["198.51.100.1"], PODS) is None


def test_throttle_keys() -> None:
    assert address_key("198.51.100.7") == "198.51.100.7"
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert network_key("198.51.100.7") == "198.51.100.0/24"
    assert network_key("2001:db8:1:2::1") == "2001:db8:1::/48"
    key = account_address_key("someone@example.com", "2001:db8:1:2::1")
    assert key.startswith("2001:db8:1:2::/64#") and len(key) <= 320
    long_address = "x" * 300 + "@example.com"
    assert len(account_address_key(long_address, "2001:db8:1:2::1")) <= 320
