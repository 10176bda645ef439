"""Refusing store hosts on private networks, so a tenant cannot make the hub fetch from the
machine or network it runs in (server-side request forgery).

Two layers use the same rules. `check_store_host` runs before any request, to refuse a store
with a clear message. It cannot be the guard on its own: the name may answer differently the
next time it is resolved (rebinding DNS, or a name that fails once and then answers 127.0.0.1).
The guard is `vetted_addresses`, called by the hub's pinned transport (`stores.transport`) for
every connection it opens: the addresses it returns are the ones connected to, so there is no
second lookup to race.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from g4hub_core.errors import InvalidInput

__all__ = [
    "HostNotAllowed",
    "Resolver",
    "check_store_host",
    "is_public_address",
    "system_resolver",
    "vetted_addresses",
]

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""`resolver(host, port)` → the host's addresses; raises `socket.gaierror` when it has none."""


class HostNotAllowed(Exception):
    """A store host that is, or resolves to, an address the hub must not connect to."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """The operating system's answer for `host` (A and AAAA records), in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _local_name(host: str) -> bool:
    # RFC 6761: every *.localhost name is loopback, whatever a resolver says about it.
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


async def vetted_addresses(
    host: str, port: int, *, allow_private: bool, resolver: Resolver | None = None
) -> list[str]:
    """Resolve `host` once and return the addresses to connect to, in the resolver's order.

    Unless `allow_private`, raises `HostNotAllowed` for `localhost` and `*.localhost` names and
    when any answer is private, loopback, link-local, reserved, multicast or unspecified (one
    bad answer refuses the name: which one a client picks is not ours to choose). A name that
    does not resolve raises `socket.gaierror` (no address, nothing to connect to).
    """
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        if not allow_private and _local_name(host):
            raise HostNotAllowed(host, "a localhost name")
        addresses = list(await (resolver or system_resolver)(host, port))
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} has no address")
    if not allow_private:
        refused = [address for address in addresses if not is_public_address(address)]
        if refused:
            raise HostNotAllowed(host, "resolves to a private, loopback or link-local address")
    return addresses


async def check_store_host(
    store_url: str, *, allow_private: bool, resolver: Resolver | None = None
) -> None:
    """Raise `InvalidInput` (`store_host_not_allowed`) when the URL's host is a localhost name
    or resolves to a private, loopback or link-local address and `allow_private` is off.

    This is the early check with the merchant's message, before any request. A host that does
    not resolve passes here: the connector's own connection then fails on it with "we couldn't
    find …" (the pinned transport refuses to connect anywhere without a vetted address).
    """
    if allow_private:
        return
    parts = urlsplit(store_url if "://" in store_url else f"https://{store_url}")
    host = parts.hostname
    if not host:
        return
    port = parts.port or (80 if parts.scheme == "http" else 443)
    try:
        await vetted_addresses(host, port, allow_private=False, resolver=resolver)
    except (OSError, UnicodeError):
        return
    except HostNotAllowed:
        raise InvalidInput(
            f"The store address {host} points into a private network, which this hub does not "
            "connect to. Use the store's public address.",
            code="store_host_not_allowed",
            details={"store_url": "resolves to a private, loopback or link-local address"},
        ) from None
