"""A signed-up tenant with a fake WooCommerce store on a loopback port, its catalog synced."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.stores.helpers import Account, add_store, sign_up
from tests.api.sync.helpers import wait_for_sync


@dataclass
class Linked:
    account: Account
    store: FakeWooCommerceStore
    store_id: str
    product_id: str
    """A simple product that tracks stock."""
    stock: int

    def outside(self) -> gc.BaseConnector:  # type: ignore[type-arg]
        """The store's own admin, changing it behind the hub's back."""
        return gc.create_connector(self.store.credentials())


@pytest.fixture
def woo() -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=12)
    with store.serve():
        yield store


@pytest.fixture
async def linked(client: AsyncTestClient[Any], woo: FakeWooCommerceStore) -> Linked:
    account = await sign_up(client)
    store = await add_store(client, account, woo)
    requested = await client.post(f"/api/stores/{store['id']}/sync", headers=account.headers)
    assert (await wait_for_sync(client, account, requested.json()["id"]))["status"] == "succeeded"
    listing = await client.get(
        f"/api/stores/{store['id']}/products", params={"per_page": 50}, headers=account.headers
    )
    variable = woo.variable_product_ids()
    product = next(
        item
        for item in listing.json()["items"]
        if item["platform_product_id"] not in variable
        and item["manage_stock"]
        and item["price"] is not None
    )
    return Linked(
        account, woo, store["id"], product["platform_product_id"], product["stock_quantity"]
    )
