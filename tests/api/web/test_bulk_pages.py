"""A bulk change from the store's products table without JavaScript: rows ticked in the table,
the change chosen (set, increase or decrease by, percent), then a page with the job's progress
and each product's result (applied, or a conflict with the store's value)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from litestar.testing import AsyncTestClient

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.web.edit_helpers import (
    hub_settings,
    postgres_template,
    product_ids,
    product_row,
    row_form,
    small_woo,
    synced_store,
)
from tests.api.web.helpers import SYNC_TIMEOUT, WebUser, by_testid, page_text, post_form

__all__ = ["hub_settings", "postgres_template", "small_woo"]


async def _finished(client: AsyncTestClient[Any], url: str) -> str:
    """The job's page once the job is over (as its refresh would show it)."""
    async with asyncio.timeout(SYNC_TIMEOUT):
        while True:
            page = await client.get(url)
            assert page.status_code == 200, page.text
            if '<meta http-equiv="refresh"' not in page.text:
                return page.text
            await asyncio.sleep(0.05)


async def test_a_bulk_stock_change_shows_each_items_result(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    synced = await synced_store(client, user, small_woo)
    page = await client.get(f"/stores/{synced.store_id}")
    variable = small_woo.variable_product_ids()
    stocks = {}
    for product_id in product_ids(page.text):
        stock = row_form(product_row(page.text, product_id))["expected_stock_quantity"]
        if product_id not in variable and stock:
            stocks[product_id] = int(stock)
    first, second = list(stocks)[:2]
    assert 'form="bulk" name="select"' in product_row(page.text, first)
    async with synced.outside() as shop:  # a sale at the store that the hub has not seen
        await shop.update_product(second, gc.ProductUpdate(stock_quantity=stocks[second] - 1))

    posted = await post_form(
        client,
        f"/stores/{synced.store_id}/products/bulk",
        {
            "_csrf": user.csrf,
            "select": [first, second],  # type: ignore[dict-item]
            "field": "stock_quantity",
            "operation": "increase",
            "amount": "5",
        },
    )
    assert posted.status_code == 303, posted.text
    job_url = posted.headers["location"]
    assert re.fullmatch(rf"/stores/{synced.store_id}/jobs/[0-9a-f-]{{36}}", job_url), job_url
    done = await _finished(client, job_url)
    assert by_testid(done, "job-status").startswith("Finished: 2 of 2 done")
    assert "Applied: 1 · Conflict: 1" in by_testid(done, "job-counts")
    results = page_text(done.split('data-testid="job-results"')[1])
    assert f"Stock {stocks[first]} → {stocks[first] + 5} Applied" in results
    assert "Conflict The store's value changed" in results
    assert f"The store holds stock {stocks[second] - 1}" in results
    async with synced.outside() as shop:
        assert (await shop.get_product(first)).stock_quantity == stocks[first] + 5
        assert (await shop.get_product(second)).stock_quantity == stocks[second] - 1

    # A percentage on the price, and the form's refusals.
    price = await post_form(
        client,
        f"/stores/{synced.store_id}/products/bulk",
        {
            "_csrf": user.csrf,
            "select": first,
            "field": "price",
            "operation": "percent_down",
            "amount": "10",
        },
    )
    priced = await _finished(client, price.headers["location"])
    assert "Applied: 1" in by_testid(priced, "job-counts")
    for form, message in (
        ({"field": "price", "operation": "set", "amount": "3"}, "Select at least one product"),
        (
            {"select": first, "field": "stock_quantity", "operation": "set", "amount": "1.5"},
            "whole number",
        ),
    ):
        refused = await post_form(
            client, f"/stores/{synced.store_id}/products/bulk", {"_csrf": user.csrf, **form}
        )
        assert refused.status_code == 303
        assert message in page_text((await client.get(refused.headers["location"])).text)
