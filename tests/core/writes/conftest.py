"""A hub wired in-process to a fake WooCommerce store whose catalog is synced, and a second
connector playing the merchant (or a customer) changing the store behind the hub's back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub
from tests.core.sync.helpers import HubFactory, add_store, rows, sync


@dataclass
class Synced:
    hub: Hub
    store: FakeWooCommerceStore
    tenant_id: uuid.UUID
    store_id: uuid.UUID
    product_id: str
    """A simple product that tracks stock."""

    async def at_store(self, product_id: str | None = None) -> gc.Product:
        async with self.outside() as connector:
            return await connector.get_product(product_id or self.product_id)

    def outside(self) -> gc.BaseConnector:  # type: ignore[type-arg]
        """A connector of its own, as the store's admin or a sale would change it."""
        return gc.create_connector(self.store.credentials(), http_client=self.store.http_client())


@pytest.fixture
def fake_store() -> FakeWooCommerceStore:
    return FakeWooCommerceStore(products=12)


@pytest.fixture
async def synced(fake_store: FakeWooCommerceStore, settings: object) -> AsyncIterator[Synced]:
    factory = HubFactory(settings)  # type: ignore[arg-type]
    hub = await factory(fake_store)
    tenant_id, store_id = await add_store(hub, fake_store)
    log = await sync(hub, tenant_id, store_id)
    assert log.status == "succeeded"
    variable = fake_store.variable_product_ids()
    found = await rows(hub, store_id)
    product_id = next(
        key
        for key, row in sorted(found.items())
        if key not in variable and row.manage_stock and row.price is not None
    )
    yield Synced(hub, fake_store, tenant_id, store_id, product_id)
    await factory.close()
