"""WooCommerce webhooks in the SDK: signatures checked in constant time over the raw body, the
unsigned ping recognised, deliveries parsed into upserts and deletions with a repeat-proof key,
and subscriptions made, listed, re-enabled and removed through the store's REST API."""

from __future__ import annotations

import json

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_connectors.webhooks import webhook_platform

HOOKS = webhook_platform("woocommerce")
ADDRESS = "https://hub.example/webhooks/woocommerce/endpoint-token"


async def _subscribed(store: FakeWooCommerceStore) -> None:
    assert HOOKS is not None
    async with (
        store.http_client() as client,
        gc.create_connector(store.credentials(), http_client=client) as connector,
    ):
        made = await HOOKS.subscribe(connector, ADDRESS, "webhook-secret-1")
        assert sorted(s.topic for s in made) == sorted(HOOKS.topics)
        assert all(s.active and s.address == ADDRESS for s in made)


async def test_subscriptions_are_made_listed_reenabled_and_removed() -> None:
    assert HOOKS is not None
    store = FakeWooCommerceStore(products=3)
    await _subscribed(store)
    hook = next(iter(store.webhooks.hooks.values()))
    hook.status = "disabled"
    async with (
        store.http_client() as client,
        gc.create_connector(store.credentials(), http_client=client) as connector,
    ):
        listed = {s.id: s for s in await HOOKS.subscriptions(connector)}
        assert not listed[str(hook.id)].active
        again = await HOOKS.reactivate(connector, listed[str(hook.id)], "webhook-secret-1")
        assert again.active
        assert hook.status == "active"
        for subscription_id in listed:
            await HOOKS.unsubscribe(connector, subscription_id)
        await HOOKS.unsubscribe(connector, "999")  # already gone: no error
    assert store.webhooks.hooks == {}


async def test_deliveries_verify_and_parse() -> None:
    assert HOOKS is not None
    store = FakeWooCommerceStore(products=5)
    await _subscribed(store)
    ping = store.webhooks.outbox[0]
    assert HOOKS.is_ping(ping.headers, ping.body)
    store.webhooks.outbox.clear()
    product_id = store.product_ids()[0]
    [updated] = store.webhooks.emit("product.updated", product_id)
    [deleted] = store.webhooks.emit("product.deleted", product_id)

    assert HOOKS.verify(updated.headers, updated.body, "webhook-secret-1")
    assert not HOOKS.verify(updated.headers, updated.body + b" ", "webhook-secret-1")
    assert not HOOKS.verify(updated.headers, updated.body, "another-secret")
    assert not HOOKS.is_ping(updated.headers, updated.body)

    event = HOOKS.parse(updated.headers, updated.body, currency="EUR")
    assert (event.action, event.product_id, event.topic) == (
        "upsert",
        product_id,
        "product.updated",
    )
    assert event.product is not None
    assert event.product.currency == "EUR"
    assert event.occurred_at == event.product.updated_at
    assert event.key == HOOKS.parse(updated.headers, updated.body).key
    gone = HOOKS.parse(deleted.headers, deleted.body)
    assert (gone.action, gone.product_id, gone.product) == ("delete", product_id, None)
    assert json.loads(deleted.body) == {"id": int(product_id)}


def test_headers_are_read_whatever_their_case() -> None:
    assert HOOKS is not None
    body = b'{"id": 7}'
    headers = {k.upper(): v for k, v in HOOKS.sign(body, "s3cret-value").items()}
    assert HOOKS.verify(headers, body, "s3cret-value")
