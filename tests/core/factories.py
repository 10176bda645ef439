"""Rows for tests that need a tenant or a store without going through registration or the
connection test (those have their own tests)."""

from __future__ import annotations

import uuid
from typing import Any

from g4hub_core import Hub
from g4hub_core.models import Store, Tenant
from g4hub_core.stores.connection import connector_config, seal_settings

# Valid settings of a store nobody connects to: for rows that only need a sealed store.
CREDENTIALS = {
    "platform": "woocommerce",
    "store_url": "https://shop.example",
    "consumer_key": "ck_" + "1" * 40,
    "consumer_secret": "cs_" + "2" * 40,
}


async def insert_tenant(hub: Hub, name: str = "Acme") -> uuid.UUID:
    async with hub.unit() as unit:
        tenant = Tenant(id=uuid.uuid4(), name=name)
        unit.session.add(tenant)
    return tenant.id


async def insert_store(
    hub: Hub, tenant_id: uuid.UUID, credentials: dict[str, Any], *, name: str = "Shop"
) -> uuid.UUID:
    """A store saved as connected, its credentials sealed, without testing the connection."""
    config = connector_config(credentials)
    store_id = uuid.uuid4()
    async with hub.unit(tenant_id) as unit:
        unit.session.add(
            Store(
                id=store_id,
                tenant_id=tenant_id,
                platform=config.platform,
                name=name,
                store_url=config.store_url,
                api_version=config.api_version,
                api_credentials=seal_settings(
                    config, vault=hub.vault, tenant_id=tenant_id, store_id=store_id
                ),
                credentials_hint=config.credentials_hint(),
                connection_status="connected",
            )
        )
    return store_id
