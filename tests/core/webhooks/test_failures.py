"""A delivery that cannot be applied does not hold back the others stored with it: they land,
and it waits for a retry, with the reason recorded, until it is given up as failed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core.db.base import utcnow
from g4hub_core.models import WebhookDelivery
from g4hub_core.webhooks.inbox import MAX_ATTEMPTS
from tests.core.sync.helpers import HubFactory, add_store, rows, sync
from tests.core.webhooks.helpers import PUBLIC_URL, delivery_client


async def test_one_bad_delivery_leaves_the_rest_applied(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=10)
    hub = await make_hub(store, public_url=PUBLIC_URL)
    tenant_id, store_id = await add_store(hub, store)
    assert (await sync(hub, tenant_id, store_id, trigger="initial")).status == "succeeded"
    await hub.webhooks.subscribe(tenant_id, store_id)
    store.webhooks.outbox.clear()
    variable = store.variable_product_ids()
    first, second = [i for i in store.product_ids() if i not in variable][:2]
    store.webhooks.edit(first, name="Broken on the way")
    store.webhooks.edit(second, name="Arrives fine")
    await hub.webhooks.runner.stop()  # nothing applied until the body is spoiled
    async with delivery_client(hub) as client:
        assert await store.webhooks.send(client) == [200, 200]
    async with hub.unit() as unit:
        await unit.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.body.contains("Broken on the way"))
            .values(body="{not json")
        )

    await hub.webhooks.runner.drain()
    assert (await rows(hub, store_id))[second].name == "Arrives fine"
    async with hub.unit() as unit:
        bad = (
            await unit.session.scalars(
                select(WebhookDelivery).where(WebhookDelivery.body == "{not json")
            )
        ).one()
    assert (bad.status, bad.attempts) == ("pending", 1)
    assert bad.error is not None
    assert "JSONDecodeError" in bad.error

    for _ in range(MAX_ATTEMPTS - 1):  # each retry once its wait is over
        async with hub.unit() as unit:
            await unit.session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == bad.id)
                .values(claimed_at=utcnow() - timedelta(hours=1))
            )
        await hub.webhooks.runner.drain()
    async with hub.unit() as unit:
        final = await unit.session.get(WebhookDelivery, bad.id)
        assert final is not None
    assert (final.status, final.attempts) == ("failed", MAX_ATTEMPTS)
    async with hub.unit(tenant_id) as unit:
        activity = (await unit.webhooks.status(store_id)).activity
    assert (activity.deliveries_failed, activity.products_upserted) == (1, 1)
