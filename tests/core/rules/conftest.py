"""Two fake WooCommerce stores of one catalog (same SKUs), both synced into one tenant."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from g4hub_connectors.testing import FakeStore, FakeWooCommerceStore
from g4hub_core import Hub, HubSettings
from tests.core.factories import insert_store, insert_tenant
from tests.core.sync.helpers import sync


class Twins:
    hub: Hub
    tenant_id: uuid.UUID
    source: uuid.UUID
    target: uuid.UUID
    source_store: FakeStore
    target_store: FakeStore


@pytest.fixture
async def twins(settings: HubSettings) -> AsyncIterator[Twins]:
    twins = Twins()
    twins.source_store = FakeWooCommerceStore(products=10, url="https://source.example")
    twins.target_store = FakeWooCommerceStore(products=10, url="https://target.example")
    with twins.source_store.serve(), twins.target_store.serve():
        async with Hub(settings) as hub:
            twins.hub = hub
            twins.tenant_id = await insert_tenant(hub)
            twins.source = await insert_store(
                hub, twins.tenant_id, twins.source_store.credentials(), name="Source"
            )
            twins.target = await insert_store(
                hub, twins.tenant_id, twins.target_store.credentials(), name="Target"
            )
            for store_id in (twins.source, twins.target):
                assert (await sync(hub, twins.tenant_id, store_id)).status == "succeeded"
            yield twins
