"""Replay of documented platform answers against the real connectors.

The cassettes under `cassettes/` are vcrpy YAML files whose response bodies are the example
responses from the platforms' own API references (each file says which page at its top). They are
played back only: `record_mode="none"` makes any request a cassette does not hold fail the test,
`allow_playback_repeats=False` makes each recorded answer serve exactly one request, and `replay`
fails the test when a recorded answer was never asked for. vcrpy patches httpx's transports, so
a plain `httpx.AsyncClient()` never opens a socket here.

Requests are matched on method, scheme, host, port, path and every query parameter except the
credential-bearing ones (`match_query_ignoring_auth`), so the same cassette serves header auth,
query-string auth and OAuth 1.0a signing alike. Credentials never reach a cassette: the headers
and query parameters below are filtered when a cassette is written, and `test_cassettes.py`
scans every file for anything that looks like a credential.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pytest
import vcr
import yaml  # type: ignore[import-untyped]
from vcr.cassette import Cassette
from vcr.request import Request

CASSETTES = Path(__file__).parent / "cassettes"

WOO_STORE = "https://example.com"
"""The store URL the WooCommerce REST API docs use in every example."""
SHOPIFY_STORE = "https://jsmith.myshopify.com"
"""`myshopify_domain` of the shop in Shopify's REST Admin API reference (`GET shop.json`)."""

# Credentials used when talking to the cassettes. They look real on purpose: the scrubbing and
# the secret scan must catch values of exactly this shape.
WOO_KEY = "ck_5f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4"
WOO_SECRET = "cs_0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b"
SHOPIFY_TOKEN = "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"

AUTH_HEADERS = ("authorization", "x-shopify-access-token", "cookie", "x-wp-nonce")
AUTH_QUERY_PARAMS = frozenset(
    {"consumer_key", "consumer_secret", "access_token", "client_id", "client_secret", "_wpnonce"}
)
FAST_RETRY = {"max_attempts": 2, "initial_delay": 0.0, "max_delay": 0.001, "max_total_wait": 0.01}
"""Retries that still happen (so a cassette can hold the retried answer) without waiting."""


def is_auth_param(name: str) -> bool:
    """Query parameters that carry credentials: WooCommerce's key pair, OAuth 1.0a's `oauth_*`."""
    lowered = name.lower()
    return lowered in AUTH_QUERY_PARAMS or lowered.startswith("oauth_")


def scrub_request(request: Request) -> Request:
    """`before_record_request` hook: drop every credential-bearing query parameter and header.

    `filter_query_parameters` only knows fixed names; OAuth 1.0a adds a family of `oauth_*`
    parameters, so the query is rebuilt here without any of them.
    """
    parts = urlsplit(request.uri)
    kept = [(k, v) for k, v in request.query if not is_auth_param(k)]
    if len(kept) != len(request.query):
        request.uri = urlunsplit(parts._replace(query=urlencode(kept)))
    for name in list(request.headers):
        if name.lower() in AUTH_HEADERS:
            del request.headers[name]
    return request


def match_query_ignoring_auth(r1: Request, r2: Request) -> None:
    """vcr matcher: the same query parameters (order aside), credentials left out."""
    q1 = sorted((k, v) for k, v in r1.query if not is_auth_param(k))
    q2 = sorted((k, v) for k, v in r2.query if not is_auth_param(k))
    if q1 != q2:
        raise AssertionError(f"{q1} != {q2}")


def make_vcr() -> vcr.VCR:
    """The one vcr configuration, for playing back (tests) and for writing (re-recording)."""
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        serializer="yaml",
        record_mode="none",
        match_on=("method", "scheme", "host", "port", "path", "query_without_auth"),
        filter_headers=AUTH_HEADERS,
        filter_query_parameters=tuple(sorted(AUTH_QUERY_PARAMS)),
        before_record_request=scrub_request,
        decode_compressed_response=True,
    )
    recorder.register_matcher("query_without_auth", match_query_ignoring_auth)
    return recorder


Replay = Callable[[str], AbstractContextManager[Cassette]]


class SocketDuringPlayback(AssertionError):
    """Something tried the network while a cassette was playing: playback must answer it all."""


def _no_socket(*args: object, **kwargs: object) -> None:
    raise SocketDuringPlayback(f"network access during cassette playback: {args[1:]!r:.120}")


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Replay:
    """`with replay("woocommerce_test_connection"): ...` plays that cassette back, playback only.

    Fails the test when the cassette is missing, when a request is not in it (vcr raises
    `CannotOverwriteExistingCassetteException`), when a recorded answer was never played, and
    when anything opens a socket or resolves a name while it plays (even to loopback).
    """
    recorder = make_vcr()

    @contextmanager
    def _replay(name: str) -> Iterator[Cassette]:
        path = CASSETTES / f"{name}.yaml"
        assert path.is_file(), f"no cassette {path.name}"
        with (
            monkeypatch.context() as guard,
            recorder.use_cassette(
                path.name, record_mode="none", allow_playback_repeats=False
            ) as cassette,
        ):
            guard.setattr(socket.socket, "connect", _no_socket)
            guard.setattr(socket.socket, "connect_ex", _no_socket)
            guard.setattr(socket, "getaddrinfo", _no_socket)
            yield cassette
            unplayed = [
                f"{request.method} {request.uri}"
                for index, request in enumerate(cassette.requests)
                if cassette.play_counts[index] == 0
            ]
            assert not unplayed, f"{path.name}: recorded answers never asked for: {unplayed}"

    return _replay


def documented(cassette: str, index: int) -> Any:
    """The JSON body of a cassette's `index`-th recorded answer, as the docs print it."""
    data = yaml.safe_load((CASSETTES / f"{cassette}.yaml").read_text())
    return json.loads(data["interactions"][index]["response"]["body"]["string"])


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """A plain httpx client: its transport is vcr's while a cassette plays, a socket never."""
    async with httpx.AsyncClient() as client:
        yield client
