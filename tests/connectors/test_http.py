"""The HTTP layer: each failure becomes a ConnectorError saying what happened, without secrets."""

from __future__ import annotations

import logging
import socket
import ssl

import httpx
import pytest

from g4hub_connectors import (
    ConnectorTimeoutError,
    InvalidStoreURLError,
    PlatformUnavailableError,
    RetryPolicy,
    UnexpectedResponseError,
    WooCommerceConfig,
)
from g4hub_connectors._http import ErrorBody, HTTPClient, redact_url

SECRET = "cs_0123456789abcdef0123456789abcdef01234567"


class _Client(HTTPClient):
    platform = "woocommerce"

    def parse_error(self, response: httpx.Response) -> ErrorBody:
        return ErrorBody()


def make_client(handler: httpx.MockTransport | None = None, **config: object) -> _Client:
    cfg = WooCommerceConfig(
        store_url="https://shop.example",
        consumer_key="ck_0123456789abcdef0123456789abcdef01234567",
        consumer_secret=SECRET,
        retry=RetryPolicy(max_attempts=2, initial_delay=0.001, max_delay=0.002),
        **config,  # type: ignore[arg-type]
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
