"""The address a request came from, for throttles and the audit trail.

``REMOTE_ADDR`` is the only address nobody can forge: it is the other end of the TCP connection.
Behind the centre's reverse proxy that is the proxy, which passes the client on in ``X-Forwarded-For``
(or ``X-Real-IP``). Those headers are believed only when ``REMOTE_ADDR`` is one of the proxies named
in ``HOTLINE_TRUSTED_PROXIES``; from anyone else they are ignored, so a client cannot reset a
throttle by sending a new made-up address with every request (finding H2 of 2026-11-30).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> list[Network]:
    """``"10.0.0.1, 172.16.0.0/12"`` as networks; a bad entry raises ``ValueError`` naming it."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError as exc:
                raise ValueError(f"not an IP address or network: {part!r}") from exc
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: str, proxies: Iterable[Network]) -> bool:
    ip = _address(address)
    return ip is not None and any(ip in network for network in proxies)


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or what a trusted proxy says the client was.

    ``X-Forwarded-For`` is read from the right: each proxy appends the address it saw, so the
    right-most entry that is not itself a trusted proxy is the client as the first trusted proxy
    saw it; entries to its left are whatever the client chose to send."""
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    proxies: list[Network] = getattr(settings, "TRUSTED_PROXIES", [])
    if not proxies or not _trusted(remote, proxies):
        return remote
    forwarded = [p.strip() for p in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if p.strip()]
    for hop in reversed(forwarded):
        if _address(hop) is None:
            return remote  # a garbled header from a trusted proxy: fall back to the proxy itself
        if not _trusted(hop, proxies):
            return hop
    real = (request.META.get("HTTP_X_REAL_IP") or "").strip()
    return real if _address(real) is not None else remote


def client_ip_or_none(request: HttpRequest) -> str | None:
    """``client_ip`` when it is an address, else None: for django-axes, which stores it in an
    address column (a request built in a test, or by a management command, has no REMOTE_ADDR)."""
    ip = client_ip(request)
    return ip if _address(ip) is not None else None
