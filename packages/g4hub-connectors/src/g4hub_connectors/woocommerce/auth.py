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
import re
from collections.abc import Generator
from typing import Literal

import httpx
from oauthlib import oauth1

from g4hub_connectors._http import redact_url

__all__ = [
    "AuthMode",
    "OAuth1QueryAuth",
    "QueryStringAuth",
    "build_auth",
    "install_log_redaction",
]

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


# WooCommerce copies the request's query, credentials included, into its Link header, and
# httpcore logs response headers at DEBUG: masking URLs alone is not enough.
_CREDENTIAL = re.compile(r"((?:oauth_)?consumer_(?:key|secret)|oauth_signature)=[^&\s'\"<>;,]+")


class _MaskCredentials(logging.Filter):
    """Masks credentials in what httpx (request URLs, at INFO) and httpcore (headers, at DEBUG)
    log: query-string auth and OAuth put the key, and query auth the secret, in URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "=" in record.msg:
            record.msg = _CREDENTIAL.sub(r"\1=***", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


_SIGNING_DETAILS = ("Collected params:", "Normalized params:", "Signing:", "Signature:")


class _DropSigningDetails(logging.Filter):
    """Drops oauthlib's DEBUG lines about each signature: they carry the consumer key (and a
    signature valid for 15 minutes) in text already formatted, so they cannot be masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_SIGNING_DETAILS)


_LIBRARY_FILTERS: tuple[tuple[str, type[logging.Filter]], ...] = (
    ("httpx", _MaskCredentials),
    *(
        (f"httpcore.{name}", _MaskCredentials)
        for name in ("connection", "http11", "http2", "proxy")
    ),
    ("oauthlib.oauth1.rfc5849", _DropSigningDetails),
)


def install_log_redaction() -> None:
    """Keep credentials out of the logs of the libraries the connector drives (once)."""
    for name, kind in _LIBRARY_FILTERS:
        library_logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in library_logger.filters):
            library_logger.addFilter(kind())
