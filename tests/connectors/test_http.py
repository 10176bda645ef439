"""The HTTP layer: each failure becomes a ConnectorError saying what happened, without secrets."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
import socket
import ssl
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from g4hub_connectors import (
    ConnectorError,
    ConnectorTimeoutError,
    InvalidStoreURLError,
    PlatformUnavailableError,
    RateLimitedError,
    ResponseTooLargeError,
    RetryPolicy,
    UnexpectedResponseError,
    WooCommerceConfig,
    create_connector,
)
from g4hub_connectors._http import ErrorBody, HTTPClient, redact_url
from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore

SECRET = "cs_0123456789abcdef0123456789abcdef01234567"


class _Client(HTTPClient):
    platform = "woocommerce"

    def parse_error(self, response: httpx.Response) -> ErrorBody:
        return ErrorBody()


def make_client(handler: httpx.MockTransport | None = None, **config: object) -> _Client:
    config.setdefault("retry", RetryPolicy(max_attempts=2, initial_delay=0.001, max_delay=0.002))
    cfg = WooCommerceConfig(
        store_url="https://shop.example",
        consumer_key="ck_0123456789abcdef0123456789abcdef01234567",
        consumer_secret=SECRET,
        **config,
    )
    return _Client(cfg, httpx.AsyncClient(transport=handler, timeout=cfg.timeout))


def test_redact_url_masks_credentials() -> None:
    url = f"https://shop.example/wp-json/wc/v3/products?consumer_key=ck_x&consumer_secret={SECRET}&page=2"
    shown = redact_url(url)
    assert SECRET not in shown
    assert "page=2" in shown
    assert "consumer_secret=***" in shown


async def test_html_instead_of_json_says_what_came_back() -> None:
    page = b"<html><head><title>Just a moment...</title></head><body>checking</body></html>"
    client = make_client(
        httpx.MockTransport(
            lambda r: httpx.Response(200, content=page, headers={"content-type": "text/html"})
        )
    )
    response = await client.send("GET", "https://shop.example/wp-json/")
    with pytest.raises(UnexpectedResponseError) as caught:
        client.decode_json(response)
    assert "HTML page titled “Just a moment...”" in caught.value.user_message
    assert "https://shop.example/wp-json/" in caught.value.user_message


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "empty body"),
        (b'{"id": 1, "name": "Mu', "truncated"),
        (b"{'id': 1}", "malformed JSON"),
    ],
)
async def test_broken_json_is_a_clear_error(body: bytes, says: str) -> None:
    client = make_client(
        httpx.MockTransport(
            lambda r: httpx.Response(
                200, content=body, headers={"content-type": "application/json"}
            )
        )
    )
    response = await client.send("GET", "https://shop.example/x")
    with pytest.raises(UnexpectedResponseError, match=says):
        client.decode_json(response)


async def test_the_merchants_message_names_the_address_without_signing_parameters() -> None:
    # OAuth 1.0a signs every plain-HTTP request in its query: a nonce, a timestamp and a
    # signature are noise to a merchant (the log line keeps them, masked).
    client = make_client(
        httpx.MockTransport(
            lambda r: httpx.Response(200, content=b"{'id'", headers={"content-type": "text/json"})
        )
    )
    url = "https://shop.example/wp-json/wc/v3/products?per_page=1&oauth_nonce=123&oauth_signature=x"
    response = await client.send("GET", url)
    with pytest.raises(UnexpectedResponseError) as caught:
        client.decode_json(response)
    assert "from https://shop.example/wp-json/wc/v3/products was unreadable" in (
        caught.value.user_message
    )
    assert "oauth_nonce" not in caught.value.user_message
    assert "oauth_nonce=123" in str(caught.value)


async def test_redirects_are_reported_not_followed() -> None:
    client = make_client(
        httpx.MockTransport(
            lambda r: httpx.Response(301, headers={"location": "https://www.shop.example/wp-json/"})
        )
    )
    with pytest.raises(InvalidStoreURLError) as caught:
        await client.send("GET", "https://shop.example/wp-json/")
    assert "redirects to https://www.shop.example/wp-json/" in caught.value.user_message


async def test_unknown_host_is_an_invalid_url() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("dns", request=request) from exc

    client = make_client(httpx.MockTransport(fail))
    with pytest.raises(InvalidStoreURLError) as caught:
        await client.send("GET", "https://nope.example/wp-json/")
    assert "couldn't find nope.example" in caught.value.user_message


async def test_untrusted_certificate_says_so() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        error = ssl.SSLCertVerificationError(1, "certificate verify failed")
        error.verify_message = "self-signed certificate"
        try:
            raise error
        except ssl.SSLError as exc:
            raise httpx.ConnectError("tls", request=request) from exc

    client = make_client(httpx.MockTransport(fail))
    with pytest.raises(PlatformUnavailableError) as caught:
        await client.send("GET", "https://shop.example/")
    assert "self-signed certificate" in caught.value.user_message
    assert "CA bundle" in caught.value.user_message


async def test_refused_connections_are_retried_then_reported() -> None:
    calls = 0

    def refuse(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("Connection refused", request=request)

    client = make_client(httpx.MockTransport(refuse))
    with pytest.raises(PlatformUnavailableError, match="could not connect"):
        await client.send("GET", "https://shop.example/")
    assert calls == 2


async def test_timeouts_become_connector_timeouts() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = make_client(httpx.MockTransport(slow), timeout=5)
    with pytest.raises(ConnectorTimeoutError, match="no answer within 5 s"):
        await client.send("GET", "https://shop.example/")


async def test_secrets_in_query_strings_never_reach_errors_or_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    client = make_client(httpx.MockTransport(refuse))
    with pytest.raises(PlatformUnavailableError) as caught:
        await client.send("GET", "https://shop.example/p", params={"consumer_secret": SECRET})
    assert SECRET not in str(caught.value) + caught.value.user_message + repr(caught.value)
    assert SECRET not in caplog.text
    assert "consumer_secret=***" in str(caught.value)


# -- bounded time and memory ----------------------------------------------------------------------


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def loopback(handler: Handler) -> AsyncIterator[str]:
    """A raw HTTP/1.1 server on 127.0.0.1 that answers every request with `handler`."""
    running: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        try:
            await reader.readuntil(b"\r\n\r\n")
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        # A handler still dripping or streaming ends with the server.
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await server.wait_closed()


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A store that sends its headers, then one byte of a 10 kB body every 0.1 s."""
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n"
    )
    await writer.drain()
    for _ in range(10_000):
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.1)


async def test_a_dripping_store_ends_in_a_timeout_within_the_deadline() -> None:
    # Each byte comes well within the 2 s read timeout, so only the total deadline can end it.
    client = make_client(None, timeout=2, request_deadline=1.0)
    async with loopback(drip) as url:
        started = time.monotonic()
        with pytest.raises(ConnectorTimeoutError) as caught:
            await asyncio.wait_for(client.send("GET", f"{url}/products"), 15)
        elapsed = time.monotonic() - started
    await client.aclose()
    assert 0.9 <= elapsed < 2.0
    assert "1 s request deadline" in str(caught.value)
    assert "1 seconds" in caught.value.user_message


async def test_the_deadline_covers_retries() -> None:
    calls = 0

    async def slow_then_refused(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.3)
        raise httpx.ConnectError("Connection refused", request=request)

    client = make_client(
        httpx.MockTransport(slow_then_refused),
        request_deadline=0.5,
        retry=RetryPolicy(max_attempts=10, initial_delay=0.001, max_delay=0.002),
    )
    started = time.monotonic()
    with pytest.raises(ConnectorTimeoutError):
        await client.send("GET", "https://shop.example/")
    assert time.monotonic() - started < 1.0
    assert calls == 2


async def test_a_rate_limit_longer_than_the_deadline_stays_a_rate_limit() -> None:
    def limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "5"})

    client = make_client(
        httpx.MockTransport(limited),
        request_deadline=1,
        retry=RetryPolicy(max_attempts=3, max_delay=10),
    )
    started = time.monotonic()
    with pytest.raises(RateLimitedError):
        await client.send("GET", "https://shop.example/")
    assert time.monotonic() - started < 0.5  # the 5 s wait would pass the deadline: not begun


GIGABYTES_2 = 2 * 1024**3


async def endless_chunks(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """2 GB of JSON-ish text, chunked, generated as it goes (never held)."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    writer.write(b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"[" + b"1," * (512 * 1024 - 1)
    for _ in range(GIGABYTES_2 // len(chunk)):
        writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        await writer.drain()
    writer.write(b"0\r\n\r\n")


async def huge_declared(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    writer.write(f"Content-Length: {GIGABYTES_2}\r\n\r\n".encode())
    chunk = b" " * (1024 * 1024)
    for _ in range(GIGABYTES_2 // len(chunk)):
        writer.write(chunk)
        await writer.drain()


@pytest.mark.parametrize("handler", [endless_chunks, huge_declared])
async def test_a_2_gb_answer_stops_at_the_cap_with_memory_bounded(handler: Handler) -> None:
    client = make_client(None)
    assert client.config.max_response_bytes == 64 * 1024 * 1024  # the default cap
    tracemalloc.start()
    try:
        async with loopback(handler) as url:
            started = time.monotonic()
            with pytest.raises(ResponseTooLargeError) as caught:
                await client.send("GET", f"{url}/products")
            elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await client.aclose()
    assert peak < 200 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"
    assert elapsed < 30
    assert "64 MiB cap (max_response_bytes)" in str(caught.value)
    assert "64 MiB" in caught.value.user_message
    assert caught.value.code == "response_too_large"


async def test_a_gzip_bomb_is_capped_after_decompression() -> None:
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    assert len(bomb) < 64 * 1024

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=bomb, headers={"content-encoding": "gzip", "content-type": "text/plain"}
        )

    client = make_client(httpx.MockTransport(answer), max_response_bytes=1024 * 1024)
    with pytest.raises(ResponseTooLargeError, match="1 MiB cap"):
        await client.send("GET", "https://shop.example/")


async def test_an_answer_under_the_cap_reads_whole() -> None:
    body = b'{"products": [' + b",".join(b'{"id": %d}' % i for i in range(5000)) + b"]}"

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=gzip.compress(body), headers={"content-encoding": "gzip"}
        )

    client = make_client(httpx.MockTransport(answer), max_response_bytes=len(body))
    response = await client.send("GET", "https://shop.example/")
    assert response.content == body
    assert len(client.decode_json(response)["products"]) == 5000


# -- hostile JSON and request ids -----------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 50_000])
async def test_deeply_nested_json_is_an_unexpected_response(depth: int) -> None:
    body = b'{"a":' * depth + b"1" + b"}" * depth

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    client = make_client(httpx.MockTransport(answer))
    response = await client.send("GET", "https://shop.example/")
    with pytest.raises(UnexpectedResponseError) as caught:
        client.decode_json(response)
    assert "nested more than 200 levels" in caught.value.user_message


class _TracedClient(_Client):
    request_id_header = "X-Request-Id"


async def test_errors_carry_the_platform_request_id() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, headers={"X-Request-Id": "3a1f-77c2"})

    base = make_client(httpx.MockTransport(answer))
    client = _TracedClient(base.config, base._client)
    with pytest.raises(ConnectorError) as caught:
        await client.send("GET", "https://shop.example/p")
    assert caught.value.request_id == "3a1f-77c2"
    assert "request id 3a1f-77c2" in str(caught.value)
    assert "request_id='3a1f-77c2'" in repr(caught.value)
    with pytest.raises(ConnectorError) as untraced:
        await base.send("GET", "https://shop.example/p")
    assert untraced.value.request_id is None


@pytest.mark.parametrize("store_class", [FakeWooCommerceStore, FakeShopifyStore])
async def test_an_error_body_nested_50000_deep_still_gives_the_statuss_error(
    store_class: type[FakeWooCommerceStore] | type[FakeShopifyStore],
) -> None:
    store = store_class(products=3)
    deep = b'{"code":' * 50_000 + b'"x"' + b"}" * 50_000
    store.inject("status", status=404, times=None, path="products", body=deep)
    async with create_connector(store.credentials(), http_client=store.http_client()) as connector:
        with pytest.raises(ConnectorError) as caught:
            await connector.get_product(store.product_ids()[0])
    assert caught.value.status_code == 404
