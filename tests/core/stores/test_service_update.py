"""Changing a store: a new name is saved as is, new connection settings are tested first."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import Conflict, Hub, InvalidInput, NotFound, StoreConnectionFailed
from g4hub_core.models import Store
from g4hub_core.stores import StoreRead, StoreUpdate
from g4hub_core.stores.connection import open_settings
from tests.core.stores.helpers import WOO_BAD_KEYS, assert_no_secret, create

NEW_KEY = "ck_" + "1" * 40
NEW_SECRET = "cs_" + "2" * 40


async def update(
    hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID, **changes: object
) -> StoreRead:
    force = bool(changes.pop("force", False))
    async with hub.unit(tenant_id) as unit:
        return await unit.stores.update(store_id, StoreUpdate(**changes), force=force)


async def retest(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID) -> StoreRead:
    async with hub.unit(tenant_id) as unit:
        return await unit.stores.test(store_id)


async def sealed_settings(hub: Hub, store_id: uuid.UUID) -> dict[str, object]:
    async with hub.unit() as unit:
        store = await unit.session.get_one(Store, store_id)
        return open_settings(store, vault=hub.vault)


async def test_a_new_name_is_saved_without_asking_the_store(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.credentials())
    asked = len(woo.requests)

    renamed = await update(hub, tenant_id, store.id, name="  Renamed  ")

    assert renamed.name == "Renamed"
    assert renamed.last_connection_test == store.last_connection_test
    assert renamed.credentials_hint == store.credentials_hint
    assert len(woo.requests) == asked
    async with hub.unit(tenant_id) as unit:
        assert (await unit.stores.get(store.id)).name == "Renamed"


async def test_settings_given_again_unchanged_are_not_tested(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.credentials())
    asked = len(woo.requests)

    await update(hub, tenant_id, store.id, name="Same", **woo.credentials(store_url=woo.url + "/"))

    assert len(woo.requests) == asked


async def test_wrong_new_credentials_change_nothing(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.credentials())
    wrong = woo.wrong_credentials()

    with pytest.raises(StoreConnectionFailed) as caught:
        await update(
            hub,
            tenant_id,
            store.id,
            name="Not saved",
            consumer_key=wrong["consumer_key"],
            consumer_secret=wrong["consumer_secret"],
        )

    assert caught.value.code == "invalid_credentials"
    assert caught.value.message == WOO_BAD_KEYS
    assert_no_secret(repr(caught.value), wrong, woo.credentials())
    async with hub.unit(tenant_id) as unit:
        assert await unit.stores.get(store.id) == store
    assert (await retest(hub, tenant_id, store.id)).connection_status == "connected"


async def test_forced_wrong_credentials_are_saved_as_failed(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.credentials())
    wrong = woo.wrong_credentials()

    saved = await update(
        hub, tenant_id, store.id, consumer_secret=wrong["consumer_secret"], force=True
    )

    assert saved.connection_status == "failed"
    assert saved.last_error_code == "invalid_credentials"
    assert (await sealed_settings(hub, store.id))["consumer_secret"] == wrong["consumer_secret"]


async def test_regenerated_keys_are_tested_and_sealed(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.credentials())
    # The merchant revokes the key and makes a new one in WooCommerce's settings.
    old = woo.keys.pop(woo.consumer_key)
    woo.keys[NEW_KEY] = dataclasses.replace(old, secret=NEW_SECRET)
    assert (await retest(hub, tenant_id, store.id)).connection_status == "failed"

    updated = await update(
        hub, tenant_id, store.id, consumer_key=NEW_KEY, consumer_secret=NEW_SECRET
    )

    assert updated.connection_status == "connected"
    assert updated.last_error_code is None
    assert updated.credentials_hint == "ck_…1111"
    settings = await sealed_settings(hub, store.id)
    assert (settings["consumer_key"], settings["consumer_secret"]) == (NEW_KEY, NEW_SECRET)
    assert_no_secret(updated.model_dump_json(), {"consumer_secret": NEW_SECRET})
    assert (await retest(hub, tenant_id, store.id)).connection_status == "connected"


async def test_a_shopify_store_can_move_from_a_token_to_an_app(
    hub: Hub, tenant_id: uuid.UUID, shopify: FakeShopifyStore
) -> None:
    store = await create(hub, tenant_id, shopify.credentials())
    app = shopify.client_credentials()

    updated = await update(
        hub, tenant_id, store.id, client_id=app["client_id"], client_secret=app["client_secret"]
    )

    assert updated.connection_status == "connected"
    assert updated.credentials_hint == f"client {app['client_id']}"
    settings = await sealed_settings(hub, store.id)
    assert "access_token" not in settings
    assert settings["client_secret"] == app["client_secret"]
    assert (await retest(hub, tenant_id, store.id)).connection_status == "connected"

    back = await update(hub, tenant_id, store.id, access_token=shopify.access_token)
    assert back.credentials_hint.startswith("shpat_…")
    assert "client_id" not in await sealed_settings(hub, store.id)


async def test_a_new_url_is_tested_and_must_not_be_taken(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    first = await create(hub, tenant_id, woo.credentials())
    moved = FakeWooCommerceStore(products=7, seed=2)
    with moved.serve():
        # The old keys do not open the store at its new address.
        with pytest.raises(StoreConnectionFailed):
            await update(hub, tenant_id, first.id, store_url=moved.url)
        updated = await update(hub, tenant_id, first.id, **moved.credentials())
        assert (updated.store_url, updated.products_count) == (moved.url, 7)

        second = await create(hub, tenant_id, woo.credentials(), name="Second")
        with pytest.raises(Conflict) as caught:
            await update(hub, tenant_id, second.id, **moved.credentials())
        assert caught.value.code == "store_exists"


async def test_the_platform_cannot_change(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.credentials())
    with pytest.raises(InvalidInput) as caught:
        await update(hub, tenant_id, store.id, platform="shopify")
    assert caught.value.code == "platform_immutable"
    assert (await update(hub, tenant_id, store.id, platform="WooCommerce", name="X")).name == "X"


async def test_settings_of_another_platform_are_invalid(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.credentials())
    with pytest.raises(InvalidInput) as caught:
        await update(hub, tenant_id, store.id, access_token="shpat_" + "9" * 32)
    assert "access_token" in caught.value.message
    assert "9" * 32 not in caught.value.message


async def test_an_unknown_store_cannot_be_updated(hub: Hub, tenant_id: uuid.UUID) -> None:
    with pytest.raises(NotFound):
        await update(hub, tenant_id, uuid.uuid4(), name="X")
