"""Inline edits on the store's products table and the product page, as plain form posts (what a
browser without JavaScript sends): applied and shown in the row, a change at the store in between
refused as a conflict with the store's value, the product's writes on its page; another tenant's
store or product is 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.api.web.edit_helpers import (
    Synced,
    hub_settings,
    postgres_template,
    product_row,
    small_woo,
    synced_store,
)
from tests.api.web.helpers import WebUser, by_testid, field_value, page_text, post_form, sign_up

__all__ = ["hub_settings", "postgres_template", "small_woo"]


def _form(row: str) -> dict[str, str]:
    """The hidden and shown fields of a row's inline edit form, as the browser would post them."""
    return {
        name: value
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', row)
        if name != "select"
    }


async def _tracked(client: AsyncTestClient[Any], synced: Synced) -> tuple[str, dict[str, str]]:
    """A simple product that tracks stock, and its row's form."""
    page = await client.get(f"/stores/{synced.store_id}", params={"per_page": "50"})
    variable = synced.store.variable_product_ids()
    for product_id in re.findall(r'name="product_id" value="([^"]+)"', page.text):
        form = _form(product_row(page.text, product_id))
        if product_id not in variable and form["expected_stock_quantity"] and form["price"]:
            return product_id, form
    raise AssertionError("no simple product tracking stock")


async def test_an_inline_edit_is_written_and_shown_in_the_row(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    synced = await synced_store(client, user, small_woo)
    product_id, form = await _tracked(client, synced)
    stock = int(form["stock_quantity"])
    form.update(stock_quantity=str(stock + 7), price="31.25")
    posted = await post_form(client, f"/stores/{synced.store_id}/products/edit", form)
    assert posted.status_code == 303, posted.text
    location = posted.headers["location"]
    assert location.startswith(f"/stores/{synced.store_id}?")

    page = await client.get(location)
    result = by_testid(page.text, "edit-result")
    assert result.startswith("Saved at the store"), result
    assert f"Stock {stock} → {stock + 7}" in result
    assert "31.25" in result
    row = product_row(page.text, product_id)
    assert _form(row)["stock_quantity"] == str(stock + 7)
    assert re.search(rf'data-testid="stock-count">{stock + 7}<', row)
    async with synced.outside() as shop:
        written = await shop.get_product(product_id)
    assert (written.stock_quantity, str(written.regular_price)) == (stock + 7, "31.25")

    # The product's page lists the writes: who, field, old → new, result.
    product = await client.get(f"/stores/{synced.store_id}/product", params={"id": product_id})
    writes = page_text(product.text.split('id="writes-heading"')[1])
    assert f"{user.email} Stock {stock} → {stock + 7} Applied" in writes
    assert "Price" in writes

    # The same values again: nothing to send.
    again = await post_form(
        client,
        f"/stores/{synced.store_id}/products/edit",
        _form(product_row(page.text, product_id)),
    )
    assert "Nothing to save" in by_testid(
        (await client.get(again.headers["location"])).text, "edit-result"
    )


async def test_a_change_at_the_store_in_between_is_a_conflict_never_overwritten(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    synced = await synced_store(client, user, small_woo)
    product_id, form = await _tracked(client, synced)
    stock = int(form["stock_quantity"])
    async with synced.outside() as shop:  # a sale at the store, not yet synced
        await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=stock - 1))
    form["stock_quantity"] = str(stock + 50)
    posted = await post_form(client, f"/stores/{synced.store_id}/products/edit", form)
    assert posted.status_code == 303
    page = await client.get(posted.headers["location"])
    result = by_testid(page.text, "edit-result")
    assert result.startswith("Not saved: the store's value changed"), result
    assert f"Stock is {stock - 1}" in result
    # The row now shows the store's value; the store kept it.
    assert _form(product_row(page.text, product_id))["stock_quantity"] == str(stock - 1)
    async with synced.outside() as shop:
        assert (await shop.get_product(product_id)).stock_quantity == stock - 1
    product = await client.get(f"/stores/{synced.store_id}/product", params={"id": product_id})
    assert "Conflict" in page_text(product.text.split('id="writes-heading"')[1])


# Form handling, no query of its own: SQLite only (the edits above run on both databases).
@pytest.mark.parametrize("hub_settings", ["sqlite"], indirect=True)
async def test_a_form_from_before_a_sync_is_refused_and_odd_values_are_explained(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    synced = await synced_store(client, user, small_woo)
    product_id, form = await _tracked(client, synced)
    url = f"/stores/{synced.store_id}/products/edit"
    odd = await post_form(client, url, {**form, "price": "twelve"})
    assert "Not saved" in by_testid((await client.get(odd.headers["location"])).text, "edit-result")
    stale = await post_form(client, url, {**form, "version": "2001-01-01T00:00:00", "price": "1"})
    page = await client.get(stale.headers["location"])
    assert "the product changed" in by_testid(page.text, "edit-result")
    async with synced.outside() as shop:
        assert str((await shop.get_product(product_id)).regular_price) != "1"
    # Without the form's token nothing is written.
    refused = await post_form(client, url, {**form, "_csrf": "nope", "price": "2"})
    assert refused.status_code == 403


# Form handling, no query of its own: SQLite only (the edits above run on both databases).
@pytest.mark.parametrize("hub_settings", ["sqlite"], indirect=True)
async def test_the_product_page_edits_price_sale_and_stock_tracking(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    synced = await synced_store(client, user, small_woo)
    product_id, _ = await _tracked(client, synced)
    page = await client.get(f"/stores/{synced.store_id}/product", params={"id": product_id})
    form = _form(page.text.split('id="change-heading"')[1].split("</form>")[0])
    form["sale_price"] = "5.00"
    posted = await post_form(client, f"/stores/{synced.store_id}/products/edit", form)
    assert posted.headers["location"].startswith(f"/stores/{synced.store_id}/product?id=")
    shown = await client.get(posted.headers["location"])
    assert "Saved at the store" in by_testid(shown.text, "edit-result")
    async with synced.outside() as shop:
        assert str((await shop.get_product(product_id)).sale_price) == "5.00"
    # Unticking "Track stock" (the box is absent from the post) switches it off.
    form = _form(shown.text.split('id="change-heading"')[1].split("</form>")[0])
    form.pop("manage_stock", None)
    posted = await post_form(client, f"/stores/{synced.store_id}/products/edit", form)
    result = by_testid((await client.get(posted.headers["location"])).text, "edit-result")
    assert "Track stock on → off" in result, result


@pytest.mark.parametrize("hub_settings", ["sqlite"], indirect=True)
async def test_another_tenants_store_or_product_is_404(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    synced = await synced_store(client, user, small_woo)
    product_id, form = await _tracked(client, synced)
    client.cookies.clear()
    intruder = await sign_up(client, business="Intruder")
    theirs = {**form, "_csrf": intruder.csrf, "price": "0.01"}
    for url in (
        f"/stores/{synced.store_id}/products/edit",
        f"/stores/{synced.store_id}/products/bulk",
    ):
        answer = await post_form(
            client,
            url,
            {**theirs, "select": product_id, "field": "price", "operation": "set", "amount": "1"},
        )
        assert answer.status_code == 404, (url, answer.status_code)
    for url in (
        f"/stores/{synced.store_id}/audit",
        f"/stores/{synced.store_id}/audit/csv",
        f"/stores/{synced.store_id}/jobs/00000000-0000-0000-0000-000000000000",
        f"/skus?store={synced.store_id}",
        f"/skus?missing_in={synced.store_id}",
    ):
        assert (await client.get(url)).status_code == 404, url
    # Their own store with my product id: 404 too, and nothing was written.
    async with synced.outside() as shop:
        assert str((await shop.get_product(product_id)).regular_price) != "0.01"
    assert field_value((await client.get("/overview")).text, "_csrf") == intruder.csrf


# Form handling, no query of its own: SQLite only (the edits above run on both databases).
@pytest.mark.parametrize("hub_settings", ["sqlite"], indirect=True)
async def test_a_variant_is_edited_on_its_products_page(
    client: AsyncTestClient[Any], user: WebUser, shop: FakeShopifyStore
) -> None:
    synced = await synced_store(client, user, shop, name="Harbour")
    product_id = sorted(shop.variable_product_ids())[0]
    page = await client.get(f"/stores/{synced.store_id}/product", params={"id": product_id})
    assert 'id="change-heading"' not in page.text  # several variants: each has its own form
    forms = re.findall(r'<form method="post"[^>]*class="row-edit"(.*?)</form>', page.text, re.S)
    assert len(forms) >= 2
    form = _form(forms[1])
    variant_id = form["variant_id"]
    form["price"] = "64.00"
    posted = await post_form(client, f"/stores/{synced.store_id}/products/edit", form)
    shown = await client.get(posted.headers["location"])
    assert "Saved at the store" in by_testid(shown.text, "edit-result")
    async with synced.outside() as store:
        variant = next(
            v for v in (await store.get_product(product_id)).variants if v.id == variant_id
        )
    assert str(variant.price) == "64.00"
    # The write names the variant by its title, as the variants table does.
    assert variant.title
    assert f"Price ({variant.title})" in page_text(shown.text.split('id="writes-heading"')[1])

    # The store's table sends a product of several variants to its page.
    listing = await client.get(f"/stores/{synced.store_id}", params={"per_page": "50"})
    row = _form(product_row(listing.text, product_id))
    posted = await post_form(
        client, f"/stores/{synced.store_id}/products/edit", {**row, "price": "1.00"}
    )
    result = by_testid((await client.get(posted.headers["location"])).text, "edit-result")
    assert "change each one on the product's page" in result
