"""Who is calling: the client address behind trusted proxies, and the keys
throttles count it under.

Behind the gateway every request arrives from a proxy's address; the client's
own is the last hop the proxies appended to ``X-Forwarded-For``. Only peers
inside ``trusted`` networks are believed, and of the header only the hops to
the right of the first untrusted one (a client may write anything to its left).

Throttles key IPv6 clients by their /64: one subscriber is usually given a
whole /64 and can rotate through it freely.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence

from pind_kit.clients import client_key

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(value: str) -> Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted if network.version == address.version)


def resolve_client(
    peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]
) -> str | None:
    """The caller's address: the peer's own, or, when the peer is a trusted
    proxy, the right-most ``X-Forwarded-For`` hop that is not a trusted proxy.
    A hop that is no address ends the walk at the proxy that wrote it (the peer
    or a trusted hop), so a garbled header never names an arbitrary client."""
    if peer is None:
        return None
    peer_address = _parse(peer)
    if peer_address is None or not _trusted(peer_address, trusted):
        return peer
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    nearest_proxy: Address = peer_address
    for raw in reversed(hops):
        hop = _parse(raw)
        if hop is None:
            return str(nearest_proxy)
        if not _trusted(hop, trusted):
            return str(hop)
        nearest_proxy = hop
    return str(nearest_proxy)  # every hop a proxy: the farthest one is the client


def address_key(address: str) -> str:
    """One client for throttling: an IPv4 address, or an IPv6 /64."""
    return client_key(address)


def network_key(address: str) -> str:
    """One client network for throttling: an IPv4 /24, or an IPv6 /48."""
    parsed = _parse(address)
    if parsed is None:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    prefix = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network((parsed, prefix), strict=False))


def account_address_key(email_key: str, address: str | None) -> str:
    """One account tried from one client: ``<client>#<digest of the account>``
    (fits the key column whatever the address length; the suffix finds every
    client's row of one account)."""
    return f"{address_key(address) if address else '-'}#{account_suffix(email_key)}"


def account_suffix(email_key: str) -> str:
    return hashlib.sha256(email_key.encode()).hexdigest()[:32]
