"""The client's address as the throttles, socket caps and audit log should see it.

Why not ``request.remote``: behind the shipped nginx every client arrives from the proxy's
address, so one shared counter would let anyone lock out everyone and the audit log would name
the proxy. Why not simply X-Forwarded-For: any client can send that header, so believing it from
anyone lets an attacker pick a fresh address per request. The header is read only when the direct
peer is one of ``SILA_TRUSTED_PROXIES``, from the right (the hop our own proxy appended) leftwards,
skipping hops that are themselves trusted proxies; the first untrusted hop is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from aiohttp import web

from bot.settings import parse_networks

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(raw: str) -> tuple[Network, ...]:
    return parse_networks(raw)


def _trusted(addr: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def _clean(hop: str) -> str | None:
    """One X-Forwarded-For entry as an address, or None when it is not one (garbage is not a client)."""
    hop = hop.strip()
    if hop.startswith("[") and "]" in hop:  # [v6]:port
        hop = hop[1 : hop.index("]")]
    elif hop.count(":") == 1:  # v4:port
        hop = hop.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None


def forwarded_client(peer: str, forwarded_for: list[str], trusted_proxies: str) -> str:
    """The client address given the direct ``peer`` and the X-Forwarded-For header values."""
    networks = _networks(trusted_proxies) if trusted_proxies else ()
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h for value in forwarded_for for h in value.split(",")]
    client = peer
    for hop in reversed(hops):
        addr = _clean(hop)
        if addr is None:
            break  # a malformed entry: stop at the last hop we could vouch for
        client = addr
        if not _trusted(addr, networks):
            break
    return client


def client_address(request: web.Request, trusted_proxies: str) -> str:
    """``request``'s client address (``?`` when the transport has none, e.g. a Unix socket)."""
    peer = request.remote or "?"
    return forwarded_client(peer, request.headers.getall("X-Forwarded-For", []), trusted_proxies)
