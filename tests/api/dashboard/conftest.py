"""A signed-up tenant and a small fake store, for the dashboard routes' tests."""

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
    store = FakeWooCommerceStore(products=7)
    with store.serve():
        yield store


@pytest.fixture
def shop() -> Iterator[FakeShopifyStore]:
    store = FakeShopifyStore(products=4)
    with store.serve():
        yield store
