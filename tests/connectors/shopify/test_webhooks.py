"""Shopify webhooks in the SDK: signed with the app's client secret, one key per event across
retries, times read to the microsecond, subscriptions through the REST Admin API."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeShopifyGraphQLStore, FakeShopifyStore
from g4hub_connectors.webhooks import webhook_platform

HOOKS = webhook_platform("shopify")
ADDRESS = "https://hub.example/webhooks/shopify/endpoint-token"


async def test_subscriptions_through_the_rest_admin_api() -> None:
    assert HOOKS is not None
    assert webhook_platform("shopify.graphql") is HOOKS
    store = FakeShopifyStore(products=3)
    async with (
        store.http_client() as client,
        gc.create_connector(store.credentials(), http_client=client) as connector,
    ):
        made = await HOOKS.subscribe(connector, ADDRESS, "unused")
        assert sorted(s.topic for s in made) == sorted(HOOKS.topics)
        listed = await HOOKS.subscriptions(connector)
        assert {s.id for s in listed} == {s.id for s in made}
        await HOOKS.unsubscribe(connector, made[0].id)
        await HOOKS.unsubscribe(connector, made[0].id)  # already gone: no error
        again = await HOOKS.reactivate(connector, made[0], "unused")
        assert again.topic == made[0].topic
    assert len(store.webhooks.subscriptions) == 4


def test_the_signing_secret_is_the_apps_client_secret() -> None:
    assert HOOKS is not None
    assert HOOKS.own_secret({"client_id": "id", "client_secret": "shpss_x"}) == "shpss_x"
    assert HOOKS.own_secret({"access_token": "shpat_x"}) is None


async def test_deliveries_verify_and_parse() -> None:
    assert HOOKS is not None
    store = FakeShopifyStore(products=3)
    store.webhooks.subscriptions.clear()
    async with (
        store.http_client() as client,
        gc.create_connector(store.credentials(), http_client=client) as connector,
    ):
        await HOOKS.subscribe(connector, ADDRESS, "unused")
    product_id = store.product_ids()[0]
    store.webhooks.edit(product_id, title="Renamed")
    [delivery] = store.webhooks.outbox
    secret = store.client_secret
    assert HOOKS.verify(delivery.headers, delivery.body, secret)
    assert not HOOKS.verify(delivery.headers, delivery.body.replace(b"Renamed", b"Other"), secret)
    event = HOOKS.parse(delivery.headers, delivery.body, currency="EUR")
    assert (event.action, event.product_id) == ("upsert", product_id)
    assert event.product is not None
    assert event.product.name == "Renamed"
    assert event.key == delivery.headers["x-shopify-event-id"]
    retry = dataclasses.replace(delivery, headers={**delivery.headers, "x-shopify-webhook-id": "2"})
    assert HOOKS.parse(retry.headers, retry.body).key == event.key

    nanos = {**delivery.headers, "x-shopify-triggered-at": "2026-12-03T10:00:27.877041743Z"}
    moment = HOOKS.parse(nanos, delivery.body).occurred_at
    assert moment == datetime(2026, 12, 3, 10, 0, 27, 877041, tzinfo=UTC)
    inventory = {**delivery.headers, "x-shopify-topic": "inventory_levels/update"}
    body = b'{"inventory_item_id": 1, "location_id": 2, "available": 3}'
    assert HOOKS.parse(inventory, body).action == "ignore"


async def test_a_graphql_connector_subscribes_with_its_own_token() -> None:
    assert HOOKS is not None
    store = FakeShopifyGraphQLStore(products=3)
    async with (
        store.http_client() as client,
        gc.create_connector(store.credentials(), http_client=client) as connector,
    ):
        made = await HOOKS.subscribe(connector, ADDRESS, "unused")
        assert {s.id for s in await HOOKS.subscriptions(connector)} == {s.id for s in made}
        assert await HOOKS.gone(connector, [store.product_ids()[0], "999999999"]) == {"999999999"}
    assert len(store.webhooks.subscriptions) == 4
