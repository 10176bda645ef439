"""A bulk change of the sale price: the products on sale get their sale price lowered by the
percentage (their regular price stays); a selected product not on sale has no sale price to
lower and is left out, said on the job's page."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.web.edit_helpers import hub_settings, postgres_template, small_woo, synced_store
from tests.api.web.helpers import (
    SYNC_TIMEOUT,
    WebUser,
    by_testid,
    page_text,
    post_form,
    wait_for_sync,
)

__all__ = ["hub_settings", "postgres_template", "small_woo"]


@pytest.mark.parametrize("hub_settings", ["sqlite"], indirect=True)
async def test_a_bulk_sale_price_change_lowers_only_the_sales(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    variable = small_woo.variable_product_ids()
    on_sale, not_on_sale = [pid for pid in small_woo.product_ids() if pid not in variable][:2]
    synced = await synced_store(client, user, small_woo)
    async with synced.outside() as shop:
        await shop.update_product(
            on_sale, gc.ProductUpdate(price=Decimal("50.00"), sale_price=Decimal("40.00"))
        )
        await shop.update_product(not_on_sale, gc.ProductUpdate(sale_price=None))
    resync = await post_form(client, f"/stores/{synced.store_id}/sync", {"_csrf": user.csrf})
    assert resync.status_code == 303
    assert (await wait_for_sync(client, synced.store_id))["status"] == "succeeded"
    page = await client.get(f"/stores/{synced.store_id}")
    assert '<option value="sale_price">Sale price</option>' in page.text

    posted = await post_form(
        client,
        f"/stores/{synced.store_id}/products/bulk",
        {
            "_csrf": user.csrf,
            "select": [on_sale, not_on_sale],  # type: ignore[dict-item]
            "field": "sale_price",
            "operation": "percent_down",
            "amount": "10",
        },
    )
    assert posted.status_code == 303, posted.text
    async with asyncio.timeout(SYNC_TIMEOUT):
        while True:  # the job's page refreshes itself until the job is over
            done = await client.get(posted.headers["location"])
            if '<meta http-equiv="refresh"' not in done.text:
                break
            await asyncio.sleep(0.05)
    assert "Applied: 1" in by_testid(done.text, "job-counts")
    assert "Sale price 40.00 → 36.00 Applied" in page_text(done.text)
    assert "1 selected product had no current value to change from" in page_text(done.text)
    async with synced.outside() as shop:
        written = await shop.get_product(on_sale)
        untouched = await shop.get_product(not_on_sale)
    assert (written.regular_price, written.sale_price) == (Decimal("50.00"), Decimal("36.00"))
    assert untouched.sale_price is None
