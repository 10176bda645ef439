"""A signed-up tenant and fake stores on loopback ports, for the stores routes' tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.api.stores.helpers import Account, sign_up


@pytest.fixture
async def account(client: AsyncTestClient[Any]) -> Account:
    return await sign_up(client)


@pytest.fixture
def woo() -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=25)
    with store.serve():
        yield store


@pytest.fixture
def shop() -> Iterator[FakeShopifyStore]:
    store = FakeShopifyStore(products=10)
    with store.serve():
        yield store
