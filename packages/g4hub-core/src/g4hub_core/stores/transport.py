"""The HTTP client the hub hands to every connector: each connection goes to an address that was
checked in the same step, never to a second lookup of the name.

    client = pinned_client(allow_private=False)
    connector = create_connector(config, http_client=client)

TLS is unchanged: the certificate is verified against the URL's host name, which is also the
SNI name; only the TCP connection is made to the vetted address. Connections are pooled per
origin as usual, so a store's requests reuse the connection that was vetted when it opened.
"""

from __future__ import annotations

import ssl
import typing

import httpcore
import httpx

from g4hub_core.stores.hosts import HostNotAllowed, Resolver, vetted_addresses

__all__ = ["PinnedNetworkBackend", "PinnedTransport", "pinned_client"]

_USER_AGENT = "g4hub-core/0.1 (+httpx)"


class PinnedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Resolves and vets the host of each new connection, then connects to one of the vetted
    addresses (in the resolver's order, the next one when a connection fails)."""

    def __init__(self, *, allow_private: bool, resolver: Resolver | None = None) -> None:
        self._allow_private = allow_private
        self._resolver = resolver
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await vetted_addresses(
                host, port, allow_private=self._allow_private, resolver=self._resolver
            )
        except HostNotAllowed as exc:
            raise httpcore.ConnectError(f"refused to connect to {exc}") from exc
        except (OSError, UnicodeError) as exc:
            # The SDK reads a `socket.gaierror` in the cause chain as "host not found".
            raise httpcore.ConnectError(f"{host}: no address ({exc})") from exc
        options = list(socket_options or ())
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._backend.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # vetted_addresses never returns an empty list
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("store connections never use unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (HTTP/1.1, pooling, error mapping), on `PinnedNetworkBackend`.
    Never uses a proxy: a proxy would make the connection itself, to an address not vetted."""

    def __init__(
        self,
        *,
        allow_private: bool,
        resolver: Resolver | None = None,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(verify=verify, limits=limits, trust_env=False)
        # httpx builds its pool without a way to pass a network backend: rebuild it with ours,
        # with the same settings.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedNetworkBackend(allow_private=allow_private, resolver=resolver),
        )


def pinned_client(
    *,
    allow_private: bool,
    resolver: Resolver | None = None,
    verify: ssl.SSLContext | bool = True,
    timeout: float = 30.0,
) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` for connectors, on a `PinnedTransport`: never follows redirects,
    ignores proxy environment variables, verifies TLS on the host name. Each connector still
    applies its store's own timeout per request. The caller closes the client."""
    return httpx.AsyncClient(
        transport=PinnedTransport(allow_private=allow_private, resolver=resolver, verify=verify),
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": _USER_AGENT},
    )
