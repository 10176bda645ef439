"""Adding, reading, testing and removing stores against fake stores on loopback."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import select, text

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import (
    Conflict,
    Hub,
    HubSettings,
    InvalidInput,
    NotFound,
    StoreConnectionFailed,
    VaultError,
)
from g4hub_core.models import StoreProduct, SyncLog
from g4hub_core.stores import StoreCreate, StoreCredentials, StoreUpdate
from g4hub_core.vault import generate_key
from tests.core.factories import insert_store
from tests.core.stores.helpers import WOO_BAD_KEYS, assert_no_secret, count_stores, create

# -- check ----------------------------------------------------------------------------------------


async def test_check_answers_without_saving(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    async with hub.unit(tenant_id) as unit:
        good = await unit.stores.check(StoreCredentials(**woo.credentials()))
        bad = await unit.stores.check(StoreCredentials(**woo.wrong_credentials()))

    assert good.success
    assert good.error is None
    assert good.store_name == woo.store_name
    assert good.products_count == 20
    assert good.store_info is not None
    assert good.store_info["name"] == woo.store_name
    assert not bad.success
    assert bad.error_code == "invalid_credentials"
    assert bad.error is not None
    assert bad.error.message == WOO_BAD_KEYS
    assert_no_secret(good.model_dump_json() + bad.model_dump_json(), woo.credentials())
    assert await count_stores(hub) == 0


async def test_check_refuses_incomplete_settings_naming_the_field(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    credentials = woo.credentials()
    del credentials["consumer_secret"]
    async with hub.unit(tenant_id) as unit:
        with pytest.raises(InvalidInput) as caught:
            await unit.stores.check(StoreCredentials(**credentials))
    assert "consumer_secret" in caught.value.message
    assert_no_secret(repr(caught.value) + str(caught.value.details), credentials)
    assert woo.requests == []


# -- create ---------------------------------------------------------------------------------------


async def test_create_woocommerce_store(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.credentials(), name="  My Woo  ")

    assert store.name == "My Woo"
    assert store.platform == "woocommerce"
    assert store.store_url == woo.url
    assert store.api_version == "wc/v3"
    assert store.connection_status == "connected"
    assert store.last_connection_test is not None
    assert store.last_error_code is None
    assert store.last_error_message is None
    assert store.products_count == 20
    assert store.products_synced == 0
    assert store.store_info["name"] == woo.store_name
    assert store.credentials_hint.startswith("ck_…")
    assert store.credentials_hint.endswith(woo.consumer_key[-4:])
    assert_no_secret(store.model_dump_json() + repr(store), woo.credentials())

    async with hub.unit(tenant_id) as unit:
        assert await unit.stores.get(store.id) == store
        assert await unit.stores.list() == [store]
    async with hub.engine.connect() as conn:
        sealed = (await conn.execute(text("SELECT api_credentials FROM stores"))).scalar_one()
    assert_no_secret(str(sealed), woo.credentials())


async def test_create_shopify_store(
    hub: Hub, tenant_id: uuid.UUID, shopify: FakeShopifyStore
) -> None:
    store = await create(hub, tenant_id, shopify.credentials(), name="My Shopify")

    assert store.platform == "shopify"
    assert store.connection_status == "connected"
    assert store.products_count == 20
    assert store.store_info["name"] == shopify.shop_name
    assert store.credentials_hint.startswith("shpat_…")
    assert_no_secret(store.model_dump_json(), shopify.credentials())


async def test_wrong_keys_are_refused_with_the_connectors_message(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    with pytest.raises(StoreConnectionFailed) as caught:
        await create(hub, tenant_id, woo.wrong_credentials())

    assert caught.value.code == "invalid_credentials"
    assert caught.value.message == WOO_BAD_KEYS
    assert not caught.value.retryable
    assert_no_secret(repr(caught.value) + str(caught.value.details), woo.wrong_credentials())
    assert await count_stores(hub) == 0


async def test_force_saves_a_failing_store_as_failed(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.wrong_credentials(), force=True)

    assert store.connection_status == "failed"
    assert store.last_error_code == "invalid_credentials"
    assert store.last_error_message == WOO_BAD_KEYS
    assert store.last_connection_test is not None
    assert store.products_count == 0
    assert await count_stores(hub) == 1


async def test_shopify_token_without_read_products_is_refused(
    hub: Hub, tenant_id: uuid.UUID
) -> None:
    shop = FakeShopifyStore(products=20, scopes={"read_inventory", "read_locations"})
    with shop.serve(), pytest.raises(StoreConnectionFailed) as caught:
        await create(hub, tenant_id, shop.credentials())

    assert caught.value.code == "permission_denied"
    assert "read_products" in caught.value.message
    assert await count_stores(hub) == 0


async def test_a_store_that_does_not_answer_is_not_saved(
    hub: Hub, tenant_id: uuid.UUID, dead_url: str
) -> None:
    credentials = FakeWooCommerceStore().credentials(store_url=dead_url)
    with pytest.raises(StoreConnectionFailed) as caught:
        await create(hub, tenant_id, credentials)

    assert caught.value.code == "platform_unavailable"
    assert caught.value.retryable
    assert await count_stores(hub) == 0


async def test_the_same_store_twice_is_a_conflict(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    await create(hub, tenant_id, woo.credentials())
    asked = len(woo.requests)

    for url in (woo.url, woo.url + "/", woo.url + "/wp-admin/"):
        with pytest.raises(Conflict) as caught:
            await create(hub, tenant_id, woo.credentials(store_url=url), name="Again")
        assert caught.value.code == "store_exists"
    assert len(woo.requests) == asked  # refused before asking the store
    assert await count_stores(hub) == 1


async def test_two_concurrent_adds_of_one_store_save_it_once(
    hub: Hub, tenant_id: uuid.UUID
) -> None:
    # Each add waits on the slow store after its duplicate check, so both pass the check and
    # the unique constraint decides.
    slow = FakeWooCommerceStore(products=20, latency=0.2)
    with slow.serve():
        outcomes = await asyncio.gather(
            create(hub, tenant_id, slow.credentials(), name="A"),
            create(hub, tenant_id, slow.credentials(), name="B"),
            return_exceptions=True,
        )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "StoreRead"]
    assert await count_stores(hub) == 1


async def test_a_conflict_leaves_the_unit_usable(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore, shopify: FakeShopifyStore
) -> None:
    await create(hub, tenant_id, woo.credentials())
    async with hub.unit(tenant_id) as unit:
        with pytest.raises(Conflict):
            await unit.stores.create(StoreCreate(name="Again", **woo.credentials()))
        await unit.stores.create(StoreCreate(name="Other", **shopify.credentials()))
    assert await count_stores(hub) == 2


async def test_a_store_added_in_a_failing_unit_is_not_kept(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:

    async def add_then_fail() -> None:
        async with hub.unit(tenant_id) as unit:
            await unit.stores.create(StoreCreate(name="Shop", **woo.credentials()))
            raise RuntimeError("the request failed after the store was added")

    with pytest.raises(RuntimeError):
        await add_then_fail()
    assert await count_stores(hub) == 0


# -- list, get ------------------------------------------------------------------------------------


async def test_list_is_by_name_and_get_refuses_unknown_ids(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore, shopify: FakeShopifyStore
) -> None:
    await create(hub, tenant_id, woo.credentials(), name="Zed")
    await create(hub, tenant_id, shopify.credentials(), name="Alpha")
    async with hub.unit(tenant_id) as unit:
        assert [s.name for s in await unit.stores.list()] == ["Alpha", "Zed"]
        with pytest.raises(NotFound):
            await unit.stores.get(uuid.uuid4())


# -- test -----------------------------------------------------------------------------------------


async def test_test_records_the_outcome(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store_id = await insert_store(hub, tenant_id, woo.credentials())
    async with hub.unit(tenant_id) as unit:
        tested = await unit.stores.test(store_id)
    assert tested.connection_status == "connected"
    assert tested.products_count == 20
    assert tested.store_info["name"] == woo.store_name
    assert tested.last_connection_test is not None

    woo.keys.clear()  # the merchant revoked the key
    async with hub.unit(tenant_id) as unit:
        failed = await unit.stores.test(store_id)
    assert failed.connection_status == "failed"
    assert failed.last_error_code == "invalid_credentials"
    assert failed.last_error_message == WOO_BAD_KEYS
    assert failed.last_connection_test is not None
    assert failed.last_connection_test >= tested.last_connection_test
    # What the store last said about itself still stands.
    assert failed.store_info == tested.store_info
    assert failed.products_count == 20
    async with hub.unit(tenant_id) as unit:
        assert await unit.stores.get(store_id) == failed


async def test_test_clears_the_last_error_once_connected(
    hub: Hub, tenant_id: uuid.UUID, shopify: FakeShopifyStore
) -> None:
    store = await create(hub, tenant_id, shopify.wrong_credentials(), force=True)
    assert store.last_error_code == "invalid_credentials"
    shopify.access_token = shopify.wrong_credentials()["access_token"]  # the token now works
    async with hub.unit(tenant_id) as unit:
        tested = await unit.stores.test(store.id)
    assert tested.connection_status == "connected"
    assert tested.last_error_code is None
    assert tested.last_error_message is None
    assert tested.products_count == 20


async def test_open_connector_reaches_the_store(
    hub: Hub, tenant_id: uuid.UUID, shopify: FakeShopifyStore
) -> None:
    store = await create(hub, tenant_id, shopify.credentials())
    async with hub.unit(tenant_id) as unit:
        connector = await unit.stores.open_connector(store.id)
    async with connector:
        assert await connector.count_products() == 20


async def test_credentials_sealed_with_a_missing_key_say_so(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore, database_url: str, tmp_path: Any
) -> None:
    store = await create(hub, tenant_id, woo.credentials())
    other_keys = HubSettings(
        database_url=database_url,
        data_dir=tmp_path / "other",
        secret_keys=generate_key("other").encoded(),
        allow_private_store_hosts=True,
    )
    other = Hub(other_keys)
    try:
        async with other.unit(tenant_id) as unit:
            with pytest.raises(VaultError) as caught:
                await unit.stores.test(store.id)
            assert caught.value.code == "vault_key_missing"
            with pytest.raises(VaultError):
                await unit.stores.open_connector(store.id)
            with pytest.raises(VaultError):
                await unit.stores.update(store.id, StoreUpdate(consumer_secret="cs_" + "5" * 40))
        # The remedy the error names: enter the credentials again, sealed under the new key.
        async with other.unit(tenant_id) as unit:
            await unit.stores.update(store.id, StoreUpdate(**woo.credentials()))
            assert (await unit.stores.test(store.id)).connection_status == "connected"
    finally:
        await other.close()


# -- delete ---------------------------------------------------------------------------------------


async def test_delete_takes_products_and_logs_with_it(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore, shopify: FakeShopifyStore
) -> None:
    doomed = await insert_store(hub, tenant_id, woo.credentials())
    kept = await insert_store(hub, tenant_id, shopify.credentials())
    async with hub.unit(tenant_id) as unit:
        for store_id in (doomed, kept):
            unit.session.add_all(
                [
                    StoreProduct(tenant_id=tenant_id, store_id=store_id, platform_product_id="1"),
                    StoreProduct(tenant_id=tenant_id, store_id=store_id, platform_product_id="2"),
                    SyncLog(tenant_id=tenant_id, store_id=store_id, trigger="initial"),
                ]
            )

    async with hub.unit(tenant_id) as unit:
        await unit.stores.delete(doomed)

    async with hub.unit(tenant_id) as unit:
        with pytest.raises(NotFound):
            await unit.stores.get(doomed)
        products = (await unit.session.scalars(select(StoreProduct.store_id))).all()
        logs = (await unit.session.scalars(select(SyncLog.store_id))).all()
    assert products == [kept, kept]
    assert logs == [kept]
