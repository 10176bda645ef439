"""How requests to a WooCommerce store carry the API key.

WooCommerce (`WC_REST_Authentication`) accepts three forms:

- over HTTPS, HTTP Basic with the consumer key as user and the secret as password (`basic`);
- over HTTPS, the same pair as the `consumer_key` / `consumer_secret` query parameters (`query`),
  which it reads first; used when the host strips the Authorization header;
- over plain HTTP, OAuth 1.0a one-legged signing with the OAuth parameters in the query string
  (`oauth`); WooCommerce ignores Basic auth there.

The OAuth signature is made by oauthlib, never by hand. Each auth yields a new request rather than
changing the one it is given, because the retry policy sends the same request object again and
a second signature must not be stacked on the first.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Literal

import httpx
from oauthlib import oauth1

from g4hub_connectors._http import redact_url

__all__ = ["AuthMode", "OAuth1QueryAuth", "QueryStringAuth", "build_auth", "redact_httpx_logs"]

AuthMode = Literal["basic", "query", "oauth"]


def _mask(key: str) -> str:
    return f"{key[:3]}…{key[-4:]}" if len(key) >= 12 else "…"


def _with_url(request: httpx.Request, url: httpx.URL) -> httpx.Request:
    return httpx.Request(
        request.method,
        url,
        headers=request.headers,
        stream=request.stream,
        extensions=request.extensions,
    )


class QueryStringAuth(httpx.Auth):
    """The key pair as query parameters. Only ever used over HTTPS: the secret is in the URL."""

    def __init__(self, consumer_key: str, consumer_secret: str) -> None:
        self._key = consumer_key
        self._secret = consumer_secret

    def __repr__(self) -> str:
        return f"QueryStringAuth(consumer_key={_mask(self._key)!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        url = request.url.copy_merge_params(
            {"consumer_key": self._key, "consumer_secret": self._secret}
        )
        yield _with_url(request, url)


class OAuth1QueryAuth(httpx.Auth):
    """OAuth 1.0a one-legged signing (no token), parameters in the query string, as WooCommerce
    expects over plain HTTP.

    WooCommerce signs with the raw `consumer_secret + "&"` as key, where oauthlib percent-encodes
    the secret first; the two agree because WooCommerce secrets are `cs_` and hex digits. Only
    the query string is signed: JSON bodies are not form parameters, for either side.
    """

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        *,
        signature_method: str = oauth1.SIGNATURE_HMAC_SHA256,
    ) -> None:
        self._key = consumer_key
        self._client = oauth1.Client(
            consumer_key,
            client_secret=consumer_secret,
            signature_method=signature_method,
            signature_type=oauth1.SIGNATURE_TYPE_QUERY,
        )

    def __repr__(self) -> str:
        return f"OAuth1QueryAuth(consumer_key={_mask(self._key)!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # A fresh nonce and timestamp per attempt: WooCommerce refuses a nonce seen in 15 min.
        signed_uri, _headers, _body = self._client.sign(str(request.url), request.method)
        yield _with_url(request, httpx.URL(signed_uri))


def build_auth(mode: AuthMode, consumer_key: str, consumer_secret: str) -> httpx.Auth:
    if mode == "basic":
        return httpx.BasicAuth(consumer_key, consumer_secret)
    if mode == "query":
        return QueryStringAuth(consumer_key, consumer_secret)
    return OAuth1QueryAuth(consumer_key, consumer_secret)


class _RedactURLs(logging.Filter):
    """Masks credential query parameters in URLs that httpx logs ("HTTP Request: GET <url> ...").

    Query-string auth and OAuth put the key (and, for query auth, the secret) in the URL, and
    httpx logs every request URL at INFO.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(isinstance(arg, httpx.URL) for arg in args):
            record.args = tuple(
                redact_url(arg) if isinstance(arg, httpx.URL) else arg for arg in args
            )
        return True


def redact_httpx_logs() -> None:
    """Install the URL-masking filter on httpx's logger (once)."""
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactURLs) for f in httpx_logger.filters):
        httpx_logger.addFilter(_RedactURLs())
