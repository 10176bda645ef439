"""Helpers for the WooCommerce connector's tests: connectors wired in-process to a fake store."""

from __future__ import annotations

from typing import Any

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_connectors.woocommerce import WooCommerceConnector

FAST_RETRY = {"max_attempts": 3, "initial_delay": 0.001, "max_delay": 0.01}


def connect(store: FakeWooCommerceStore, **overrides: Any) -> WooCommerceConnector:
    """A connector to `store` through its in-process transport, with fast retries."""
    overrides.setdefault("retry", FAST_RETRY)
    connector = gc.create_connector(store.credentials(**overrides), http_client=store.http_client())
    assert isinstance(connector, WooCommerceConnector)
    return connector


def wc_requests(store: FakeWooCommerceStore, route: str = "") -> list[Any]:
    """The requests that reached a wc/ route (pretty or `?rest_route=`) containing `route`."""
    found = []
    for request in store.requests:
        path = dict(request.query).get("rest_route") or request.path
        if "/wc/" in path and route in path:
            found.append(request)
    return found
