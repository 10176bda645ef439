"""Column types behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy.exc import StatementError

from g4hub_core import Hub
from g4hub_core.models import StoreProduct
from tests.core.factories import insert_store, insert_tenant

CREDENTIALS = {
    "platform": "woocommerce",
    "store_url": "https://shop.example",
    "consumer_key": "ck_" + "1" * 40,
    "consumer_secret": "cs_" + "2" * 40,
}


async def test_prices_are_exact_and_times_come_back_aware_utc(hub: Hub) -> None:
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, CREDENTIALS)
    stamp = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    async with hub.unit(tenant_id) as unit:
        unit.session.add(
            row := StoreProduct(
                tenant_id=tenant_id,
                store_id=store_id,
                platform_product_id="1",
                name="Ünïcode ☕",
                price=Decimal("1234567.8901"),
                source_updated_at=stamp,
                data={"price": "0.10", "nested": {"a": [1, 2]}},
            )
        )
    async with hub.unit(tenant_id) as unit:
        again = await unit.session.get(StoreProduct, row.id)
        assert again is not None
        assert again.price == Decimal("1234567.8901")
        assert again.source_updated_at == stamp
        assert again.source_updated_at is not None
        assert again.source_updated_at.tzinfo is not None
        assert again.source_updated_at.utcoffset() == timedelta(0)
        assert again.data == {"price": "0.10", "nested": {"a": [1, 2]}}
        assert again.name == "Ünïcode ☕"


async def test_naive_datetimes_are_refused(hub: Hub) -> None:
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, CREDENTIALS)

    async def save_naive() -> None:
        async with hub.unit(tenant_id) as unit:
            unit.session.add(
                StoreProduct(
                    tenant_id=tenant_id,
                    store_id=store_id,
                    platform_product_id=str(uuid.uuid4()),
                    source_updated_at=datetime(2026, 1, 1),  # noqa: DTZ001
                )
            )

    with pytest.raises(StatementError, match="naive datetime"):
        await save_naive()
