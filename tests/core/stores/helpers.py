"""Shared steps of the stores domain's tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from g4hub_core import Hub
from g4hub_core.models import Store
from g4hub_core.stores import StoreCreate, StoreRead

WOO_BAD_KEYS = (
    "Unable to connect to your WooCommerce store. Please check your Consumer Key and Secret."
)
SECRET_FIELDS = ("consumer_key", "consumer_secret", "access_token", "client_secret")


def assert_no_secret(text: str, *credentials: dict[str, Any]) -> None:
    """No credential value of any of `credentials` appears in `text`."""
    for given in credentials:
        for name in SECRET_FIELDS:
            if given.get(name):
                assert str(given[name]) not in text, f"{name} leaked"


async def create(
    hub: Hub, tenant_id: uuid.UUID, credentials: dict[str, Any], *, name: str = "Shop", **kw: Any
) -> StoreRead:
    async with hub.unit(tenant_id) as unit:
        return await unit.stores.create(StoreCreate(name=name, **credentials), **kw)


async def count_stores(hub: Hub) -> int:
    async with hub.unit() as unit:
        return int(await unit.session.scalar(select(func.count()).select_from(Store)) or 0)
