"""Which client a request counts against, for limits and throttles: an IPv4
address, or an IPv6 address's /64 — one subscriber is usually given a whole
/64 and could otherwise rotate through its addresses freely. An IPv4 address
mapped into IPv6 counts as itself; a zone id or brackets are ignored."""

from __future__ import annotations

import ipaddress


def client_key(address: str) -> str:
    """The client ``address`` belongs to (text that is no address is its own key)."""
    try:
        parsed = ipaddress.ip_address(address.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)
