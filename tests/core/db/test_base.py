"""Column types behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from g4hub_core import Hub
from g4hub_core.models import StoreProduct
from tests.core.factories import CREDENTIALS, insert_store, insert_tenant


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
        assert str(again.price) == "1234567.8901"
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


async def test_prices_read_back_alike_on_both_databases(hub: Hub) -> None:
    """PostgreSQL pads numeric(19,4) and SQLite keeps the text written; callers see the same."""
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, CREDENTIALS)
    given = ["9.5", "9.50", "100", "0.125", "19.9900"]
    async with hub.unit(tenant_id) as unit:
        for index, price in enumerate(given):
            unit.session.add(
                StoreProduct(
                    tenant_id=tenant_id,
                    store_id=store_id,
                    platform_product_id=str(index),
                    price=Decimal(price),
                )
            )
    async with hub.unit(tenant_id) as unit:
        rows = (
            await unit.session.scalars(
                select(StoreProduct).where(StoreProduct.store_id == store_id)
            )
        ).all()
    shown = {row.platform_product_id: str(row.price) for row in rows}
    assert shown == {"0": "9.50", "1": "9.50", "2": "100.00", "3": "0.125", "4": "19.99"}
