"""A NUL or other control character in what a person types is invalid input or no match, never
a database error (PostgreSQL refuses NUL in text)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from g4hub_core import Hub, InvalidInput, NotFound
from g4hub_core.stores.schemas import StoreCreate, StoreUpdate
from tests.core.factories import CREDENTIALS, insert_store, insert_tenant


async def test_searches_and_ids_with_nul_find_nothing_instead_of_failing(hub: Hub) -> None:
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, CREDENTIALS)
    async with hub.unit(tenant_id) as unit:
        assert (await unit.catalog.list_products(store_id, q="mug\x00")).total == 0
        with pytest.raises(NotFound):
            await unit.catalog.get_product(store_id, "12\x00")


def test_store_fields_with_control_characters_are_invalid_input() -> None:
    with pytest.raises(ValidationError, match="name must not contain control characters"):
        StoreCreate(name="Shop\x00", **CREDENTIALS)
    with pytest.raises(ValidationError, match="consumer_secret must not"):
        StoreUpdate(consumer_secret="cs_\x00abc")  # type: ignore[arg-type]


async def test_a_tenant_name_with_control_characters_is_refused(hub: Hub) -> None:
    async with hub.unit() as unit:
        with pytest.raises(InvalidInput) as caught:
            await unit.accounts.register(
                email="nul@example.com", password="plum-orchard-42", tenant_name="Ac\x00me"
            )
    assert caught.value.code == "invalid_tenant_name"
