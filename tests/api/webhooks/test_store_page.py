"""The dashboard in real time: a store added through the wizard subscribes at once, its page and
the overview show its real-time status (with what the hub repaired), its page re-subscribes,
and a change made in the store shows in the page's product list with no sync started; deleting
the store in the dashboard removes its subscriptions at the store."""

from __future__ import annotations

import asyncio
import html
import time
from typing import Any

from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.web.helpers import add_store, post_form, sign_up, wait_for_sync


async def test_a_store_added_in_the_wizard_is_live_at_once_and_its_page_resubscribes(
    client: AsyncTestClient[Any], woo: FakeWooCommerceStore
) -> None:
    user = await sign_up(client)
    store_id = await add_store(client, user, woo, sync="")
    # Subscribed when the wizard saved it, not at the watchdog's next round.
    assert sorted(h.topic for h in woo.webhooks.hooks.values()) == [
        "product.created",
        "product.deleted",
        "product.restored",
        "product.updated",
    ]
    page = await client.get(f"/stores/{store_id}")
    assert 'data-testid="realtime-status">Live' in page.text
    assert "Real time: live" in page.text
    overview = await client.get("/overview")
    assert f'data-testid="realtime-{store_id}">Real time: live' in overview.text

    # The store disables a webhook (WooCommerce does after 5 failed deliveries): "Re-subscribe"
    # turns it back on, and the page says what happened.
    hook = next(h for h in woo.webhooks.hooks.values() if h.topic == "product.updated")
    hook.status = "disabled"
    again = await post_form(client, f"/stores/{store_id}/webhooks/subscribe", {"_csrf": user.csrf})
    assert again.status_code == 303, again.text
    assert hook.status == "active"
    assert len(woo.webhooks.hooks) == 4  # re-enabled, not made twice
    page = await client.get(again.headers["location"])
    text = html.unescape(page.text)
    assert "webhook subscriptions were checked" in text
    assert "had disabled 1 webhook(s) after failed deliveries: re-enabled at" in text
    overview = await client.get("/overview")
    assert "re-enabled at" in overview.text


async def test_a_change_in_the_store_shows_in_the_product_list_with_no_sync(
    client: AsyncTestClient[Any], woo: FakeWooCommerceStore
) -> None:
    user = await sign_up(client)
    store_id = await add_store(client, user, woo, sync="now")
    await wait_for_sync(client, store_id)
    variable = woo.variable_product_ids()
    product = next(i for i in woo.product_ids() if i not in variable)
    woo.webhooks.edit(product, name="Renamed at the store")
    started = time.monotonic()
    assert set(await woo.webhooks.send(client)) == {200}  # pings and the delivery
    while "Renamed at the store" not in (await client.get(f"/stores/{store_id}")).text:
        assert time.monotonic() - started < 5, "the change never showed"
        await asyncio.sleep(0.05)
    syncs = await client.get(f"/api/sync/logs?store_id={store_id}")
    assert len(syncs.json()["items"]) == 1  # only the wizard's initial sync


async def test_deleting_a_store_in_the_dashboard_removes_its_subscriptions(
    client: AsyncTestClient[Any], woo: FakeWooCommerceStore
) -> None:
    user = await sign_up(client)
    store_id = await add_store(client, user, woo, sync="")
    assert len(woo.webhooks.hooks) == 4
    deleted = await post_form(client, f"/stores/{store_id}/delete", {"_csrf": user.csrf})
    assert deleted.status_code == 303, deleted.text
    assert woo.webhooks.hooks == {}
    assert (await client.get(f"/stores/{store_id}")).status_code == 404
