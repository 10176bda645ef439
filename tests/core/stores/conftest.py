"""Fake stores served on loopback, and a tenant, for the stores domain."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import Hub
from tests.core.factories import insert_tenant


@pytest.fixture
def woo() -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=20)
    with store.serve():
        yield store


@pytest.fixture
def shopify() -> Iterator[FakeShopifyStore]:
    store = FakeShopifyStore(products=20)
    with store.serve():
        yield store


@pytest.fixture
async def tenant_id(hub: Hub) -> uuid.UUID:
    return await insert_tenant(hub)


@pytest.fixture
def dead_url() -> str:
    """A loopback address nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
