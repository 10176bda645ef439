"""What an inline edit shows and says: a product on sale shows its sale price in the products
table's price box, labelled, and a change there is a change of the sale price (the regular price
stays); the result above the table is the edit's own audit entries, found by the ids the write
returned, even after later writes to the same product."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from hub_api.web.edits import back_to
from tests.api.web.edit_helpers import (
    Synced,
    hub_settings,
    postgres_template,
    product_row,
    row_form,
    small_woo,
    synced_store,
)
from tests.api.web.helpers import WebUser, by_testid, page_text, post_form, wait_for_sync

__all__ = ["hub_settings", "postgres_template", "small_woo"]


async def _simple(synced: Synced) -> str:
    """A product of the store without variants that tracks stock."""
    variable = synced.store.variable_product_ids()
    async with synced.outside() as shop:
        page = await shop.get_products()
    for product in page.products:
        if product.id not in variable and product.manage_stock and product.stock_quantity:
            return product.id
    raise AssertionError("no simple product tracking stock")


async def _table(client: AsyncTestClient[Any], synced: Synced) -> str:
    return (await client.get(f"/stores/{synced.store_id}", params={"per_page": "50"})).text


@pytest.mark.parametrize("hub_settings", ["sqlite"], indirect=True)
async def test_a_product_on_sale_shows_and_edits_its_sale_price_in_the_table(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    synced = await synced_store(client, user, small_woo)
    product_id = await _simple(synced)
    async with synced.outside() as shop:
        await shop.update_product(
            product_id, gc.ProductUpdate(price=Decimal("20.00"), sale_price=Decimal("15.00"))
        )
    resync = await post_form(client, f"/stores/{synced.store_id}/sync", {"_csrf": user.csrf})
    assert resync.status_code == 303, resync.text
    assert (await wait_for_sync(client, synced.store_id))["status"] == "succeeded"

    row = product_row(await _table(client, synced), product_id)
    form = row_form(row)
    assert "price" not in form
    assert Decimal(form["sale_price"]) == Decimal("15.00")
    assert "Sale price" in page_text(row)
    form["sale_price"] = "14.00"
    posted = await post_form(client, f"/stores/{synced.store_id}/products/edit", form)
    result = by_testid((await client.get(posted.headers["location"])).text, "edit-result")
    assert "Sale price 15.00 → 14.00" in result, result
    async with synced.outside() as shop:
        written = await shop.get_product(product_id)
    assert (written.regular_price, written.sale_price) == (Decimal("20.00"), Decimal("14.00"))

    # Not on sale: the box is the price, as before.
    other = next(
        pid
        for pid in re.findall(r'name="product_id" value="([^"]+)"', await _table(client, synced))
        if pid != product_id and pid not in small_woo.variable_product_ids()
    )
    assert "price" in row_form(product_row(await _table(client, synced), other))


async def test_an_edits_result_is_its_own_entries_even_after_later_writes(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    synced = await synced_store(client, user, small_woo)
    product_id = await _simple(synced)
    form = row_form(product_row(await _table(client, synced), product_id))
    stock = int(form["stock_quantity"])
    form["stock_quantity"] = str(stock + 100)
    first = await post_form(client, f"/stores/{synced.store_id}/products/edit", form)
    location = first.headers["location"]
    written = re.search(r"write=([0-9a-f.]+)", location)
    assert written is not None
    assert len(written.group(1).split(".")) == 1  # one field, one entry

    for step in range(1, 22):  # later writes to the same product push it off any recent list
        later = row_form(product_row(await _table(client, synced), product_id))
        later["stock_quantity"] = str(stock + 100 + step)
        await post_form(client, f"/stores/{synced.store_id}/products/edit", later)

    result = by_testid((await client.get(location)).text, "edit-result")
    assert f"Stock {stock} → {stock + 100}." in result, result


@pytest.mark.parametrize("hub_settings", ["sqlite"], indirect=True)
async def test_a_variation_on_sale_shows_its_regular_and_sale_prices_and_edits_the_sale(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    synced = await synced_store(client, user, small_woo)
    product_id = sorted(small_woo.variable_product_ids())[0]
    async with synced.outside() as shop:
        variant = (await shop.get_product(product_id)).variants[0]
        await shop.update_product(
            product_id,
            gc.ProductUpdate(
                variant_id=variant.id, price=Decimal("30.00"), sale_price=Decimal("25.00")
            ),
        )
    resync = await post_form(client, f"/stores/{synced.store_id}/sync", {"_csrf": user.csrf})
    assert resync.status_code == 303, resync.text
    assert (await wait_for_sync(client, synced.store_id))["status"] == "succeeded"

    url = f"/stores/{synced.store_id}/product"
    page = await client.get(url, params={"id": product_id})
    forms = re.findall(r'<form method="post"[^>]*class="row-edit"(.*?)</form>', page.text, re.S)
    form = next(row_form(f) for f in forms if f'name="variant_id" value="{variant.id}"' in f)
    assert (Decimal(form["price"]), Decimal(form["sale_price"])) == (Decimal(30), Decimal(25))
    form["sale_price"] = "24.00"
    posted = await post_form(client, f"/stores/{synced.store_id}/products/edit", form)
    result = by_testid((await client.get(posted.headers["location"])).text, "edit-result")
    assert "Sale price 25.00 → 24.00" in result, result
    async with synced.outside() as shop:
        held = next(v for v in (await shop.get_product(product_id)).variants if v.id == variant.id)
    assert (held.regular_price, held.sale_price) == (Decimal("30.00"), Decimal("24.00"))


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/stores/s", "/stores/s?write=a.b#edit-result"),
        ("/stores/s?", "/stores/s?write=a.b#edit-result"),  # a page without a query
        ("/stores/s?q=mug", "/stores/s?q=mug&write=a.b#edit-result"),
    ],
)
def test_the_page_an_edit_goes_back_to_keeps_its_query_and_adds_the_result(
    target: str, location: str
) -> None:
    assert back_to(target, write="a.b").url == location
