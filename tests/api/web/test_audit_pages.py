"""A store's audit list in the dashboard: every write with who, field, old → new and result,
filtered by field, result and who made it, and the same as a CSV download; and every store's
list (`/changes`), naming each write's store, narrowed to one store."""

from __future__ import annotations

import csv
import io
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
from tests.api.web.helpers import WebUser, page_text, post_form

__all__ = ["hub_settings", "postgres_template", "small_woo"]


def audit_rows(page: str) -> list[dict[str, str]]:
    table = page.split('data-testid="audit"')[1].split("</table>")[0].split("<tbody>")[1]
    return [
        {
            label: page_text(text)
            for label, text in re.findall(r'data-label="([^"]+)">(.*?)</td>', row, re.S)
        }
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        if "data-label" in row
    ]


async def test_the_audit_list_filters_and_exports_csv(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    synced = await synced_store(client, user, small_woo)
    page = await client.get(f"/stores/{synced.store_id}")
    assert f'href="/stores/{synced.store_id}/audit"' in page.text
    variable = small_woo.variable_product_ids()
    first, second = [
        pid
        for pid in product_ids(page.text)
        if pid not in variable and row_form(product_row(page.text, pid))["expected_stock_quantity"]
    ][:2]
    edit = f"/stores/{synced.store_id}/products/edit"
    applied = {**row_form(product_row(page.text, first)), "price": "19.99"}
    assert (await post_form(client, edit, applied)).status_code == 303
    stock = int(row_form(product_row(page.text, second))["stock_quantity"])
    async with synced.outside() as shop:
        await shop.update_product(second, gc.ProductUpdate(stock_quantity=stock + 3))
    conflict = {**row_form(product_row(page.text, second)), "stock_quantity": "0"}
    assert (await post_form(client, edit, conflict)).status_code == 303

    audit = f"/stores/{synced.store_id}/audit"
    everything = audit_rows((await client.get(audit)).text)
    assert [(row["Field"], row["Result"]) for row in everything] == [
        ("Stock", "Conflict"),
        ("Price", "Applied"),
    ]
    assert everything[0]["Who"] == user.email
    assert everything[0]["Change"] == f"{stock + 3} → 0"
    assert "nothing was written" in everything[0]["Reason"]
    async with synced.outside() as shop:
        name = (await shop.get_product(first)).name
    assert everything[1]["Product"] == name  # the product's name, linking to its page

    by_field = audit_rows((await client.get(audit, params={"field": "price"})).text)
    assert [row["Change"].split(" → ")[1] for row in by_field] == ["19.99"]
    by_result = audit_rows((await client.get(audit, params={"result": "conflict"})).text)
    assert [row["Field"] for row in by_result] == ["Stock"]
    assert audit_rows((await client.get(audit, params={"by": "rules"})).text) == []
    assert len(audit_rows((await client.get(audit, params={"actor": user.email})).text)) == 2
    nobody = await client.get(audit, params={"actor": "someone@example.com"})
    assert "No changes match these filters." in page_text(nobody.text)
    # An odd value is no filter, never an error.
    assert len(audit_rows((await client.get(audit, params={"field": "nope"})).text)) == 2

    exported = await client.get(f"{audit}/csv", params={"result": "applied"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(row["field"], row["new_value"], row["result"]) for row in rows] == [
        ("price", "19.99", "applied")
    ]
    assert rows[0]["actor"] == user.email
    # Per product: from its page, the list and the CSV of its own writes only.
    product = await client.get(f"/stores/{synced.store_id}/product", params={"id": second})
    assert f'href="{audit}/csv?product={second}"' in product.text
    own = await client.get(audit, params={"product": second})
    assert [row["Field"] for row in audit_rows(own.text)] == ["Stock"]
    assert second in page_text(own.text.split('data-testid="audit-product"')[1][:400])
    own_csv = await client.get(f"{audit}/csv", params={"product": second})
    assert [row["product_id"] for row in csv.DictReader(io.StringIO(own_csv.text))] == [second]
    listed = await client.get(audit, params={"result": "applied"})
    assert f'href="/stores/{synced.store_id}/audit/csv?result=applied"' in listed.text


async def test_every_stores_changes_in_one_list_by_store(
    client: AsyncTestClient[Any], user: WebUser, small_woo: FakeWooCommerceStore
) -> None:
    first = await synced_store(client, user, small_woo, name="Plum Orchard")
    other = FakeWooCommerceStore(products=12, store_name="Quince Corner")
    with other.serve():
        second = await synced_store(client, user, other, name="Quince Corner")
        for synced, price in ((first, "11.11"), (second, "22.22")):
            page = await client.get(f"/stores/{synced.store_id}")
            product = next(
                pid
                for pid in product_ids(page.text)
                if pid not in synced.store.variable_product_ids()
            )
            form = {**row_form(product_row(page.text, product)), "price": price}
            edited = await post_form(client, f"/stores/{synced.store_id}/products/edit", form)
            assert edited.status_code == 303

    listed = audit_rows((await client.get("/changes")).text)
    assert [(row["Store"], row["Change"].split(" → ")[1]) for row in listed] == [
        ("Quince Corner", "22.22"),
        ("Plum Orchard", "11.11"),
    ]
    assert all(row["Who"] == user.email for row in listed)
    only = audit_rows((await client.get("/changes", params={"store": first.store_id})).text)
    assert [row["Store"] for row in only] == ["Plum Orchard"]
    exported = await client.get("/changes/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(row["new_value"] for row in rows) == ["11.11", "22.22"]
    assert {row["store_id"] for row in rows} == {first.store_id, second.store_id}
    # Each store's own list links to this one.
    assert 'href="/changes"' in (await client.get(f"/stores/{first.store_id}/audit")).text
