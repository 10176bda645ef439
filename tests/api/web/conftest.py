"""Fake stores on loopback ports and a tenant signed in through the web forms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.api.web.helpers import WebUser, sign_up


@pytest.fixture
async def user(client: AsyncTestClient[Any]) -> WebUser:
    return await sign_up(client)


@pytest.fixture
def woo() -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=45, store_name="Plum Orchard Shop")
    with store.serve():
        yield store


@pytest.fixture
def shop() -> Iterator[FakeShopifyStore]:
    store = FakeShopifyStore(products=12, shop_name="Harbour Goods")
    with store.serve():
        yield store
