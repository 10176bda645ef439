"""The pinned transport connects to the address it vetted, on every connection, with TLS still
checked against the host name. Names resolve through tables in the test, never real DNS."""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from g4hub_connectors import InvalidStoreURLError, create_connector
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core.stores.hosts import check_store_host
from g4hub_core.stores.transport import pinned_client


class Listener:
    """A loopback HTTP server that counts the connections it accepts and the TLS names asked
    for, answering every request with 200."""

    def __init__(self) -> None:
        self.connections = 0
        self.server_names: list[str | None] = []
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def start(self, tls: ssl.SSLContext | None = None) -> asyncio.Server:
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _ctx: self.server_names.append(name)
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=tls)
        self.port = server.sockets[0].getsockname()[1]
        return server


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    listening = Listener()
    server = await listening.start()
    async with server:
        yield listening


class Rebinding:
    """A name that fails to resolve, then answers 127.0.0.1, then fails again, and so on: the
    shape of a rebinding attack on a check that lets unresolvable names through."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.calls += 1
        if self.calls % 2:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return ["127.0.0.1"]


async def test_a_rebinding_name_never_reaches_loopback(listener: Listener) -> None:
    resolver = Rebinding()
    url = f"http://rebind.example.com:{listener.port}/wp-json/wc/v3/products"
    async with pinned_client(allow_private=False, resolver=resolver) as client:
        for _ in range(1000):
            await check_store_host(url, allow_private=False, resolver=resolver)
            with pytest.raises(httpx.ConnectError):
                await client.get(url)
    assert resolver.calls == 2000
    assert listener.connections == 0


@pytest.mark.parametrize("host", ["localhost", "shop.localhost", "a.b.LOCALHOST."])
async def test_localhost_names_are_refused_without_a_lookup(listener: Listener, host: str) -> None:
    resolver = Rebinding()
    async with pinned_client(allow_private=False, resolver=resolver) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://{host}:{listener.port}/")
    assert resolver.calls == 0
    assert listener.connections == 0


async def test_the_connection_goes_to_the_vetted_address_not_a_new_lookup() -> None:
    # The suite's guard fails any lookup of a name outside loopback: this store is reachable
    # only through the address the test's table gives, so only a pinned connection gets there.
    lookups: list[str] = []

    async def table(host: str, port: int) -> Sequence[str]:
        lookups.append(host)
        return {"shop.example.com": ["127.0.0.1"]}[host]

    shop = FakeWooCommerceStore(products=3)
    with shop.serve():
        port = shop.url.rsplit(":", 1)[1]
        credentials = shop.credentials(store_url=f"http://shop.example.com:{port}")
        async with (
            pinned_client(allow_private=True, resolver=table) as client,
            create_connector(credentials, http_client=client) as connector,
        ):
            result = await connector.test_connection()
            assert await connector.count_products() == 3
    assert result.success, result.error_message
    assert set(lookups) == {"shop.example.com"}
    assert shop.requests


async def test_a_name_that_does_not_resolve_is_a_store_not_found(listener: Listener) -> None:
    async def nothing(host: str, port: int) -> Sequence[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    shop = FakeWooCommerceStore(products=1)
    credentials = shop.credentials(store_url=f"http://nowhere.example.com:{listener.port}")
    async with (
        pinned_client(allow_private=False, resolver=nothing) as client,
        create_connector(credentials, http_client=client) as connector,
    ):
        with pytest.raises(InvalidStoreURLError) as caught:
            await connector.get_store_info()
    assert "nowhere.example.com" in caught.value.user_message
    assert listener.connections == 0


def _certificates(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context for `shop.example.com` and a client context trusting only its CA."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.example.com")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("shop.example.com")]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cadata=ca.public_bytes(serialization.Encoding.PEM).decode())
    return server, client


async def test_tls_is_verified_and_named_for_the_host_not_the_address(tmp_path: Path) -> None:
    server_tls, client_tls = _certificates(tmp_path)
    listening = Listener()

    async def table(host: str, port: int) -> Sequence[str]:
        return ["127.0.0.1"]

    async with (
        await listening.start(server_tls),
        pinned_client(allow_private=True, resolver=table, verify=client_tls) as client,
    ):
        answer = await client.get(f"https://shop.example.com:{listening.port}/")
        with pytest.raises(httpx.ConnectError):  # the certificate names another host
            await client.get(f"https://other.example.com:{listening.port}/")
    assert answer.text == "ok"
    assert listening.server_names == ["shop.example.com", "other.example.com"]
