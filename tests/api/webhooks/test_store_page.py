"""The store page shows the store's real-time status: off until its subscriptions exist, live
once they do."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeWooCommerceStore
from hub_api.auth.csrf import CSRF_COOKIE, CSRF_HEADER
from tests.api.web.helpers import add_store, sign_up


async def test_the_store_page_shows_the_real_time_status(
    client: AsyncTestClient[Any], woo: FakeWooCommerceStore
) -> None:
    user = await sign_up(client)
    store_id = await add_store(client, user, woo, sync="")
    page = await client.get(f"/stores/{store_id}")
    assert 'data-testid="realtime-status">Off' in page.text

    subscribed = await client.post(
        f"/api/stores/{store_id}/webhooks",
        headers={CSRF_HEADER: client.cookies[CSRF_COOKIE]},
    )
    assert subscribed.status_code == 202, subscribed.text
    page = await client.get(f"/stores/{store_id}")
    assert 'data-testid="realtime-status">Live' in page.text
