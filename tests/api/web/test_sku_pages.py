"""`/skus`: each SKU across the tenant's stores side by side, filtered by store, "differs" and
"missing in", with the conflict counts on it and on the overview."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.web.edit_helpers import (
    hub_settings,
    postgres_template,
    product_ids,
    product_row,
    row_form,
    synced_store,
)
from tests.api.web.helpers import (
    WebUser,
    add_store,
    by_testid,
    page_text,
    post_form,
    wait_for_sync,
)

__all__ = ["hub_settings", "postgres_template"]


@pytest.fixture
def pair() -> Iterator[tuple[FakeWooCommerceStore, FakeWooCommerceStore]]:
    """One catalog in two stores, the second holding only its first products."""
    big, small = FakeWooCommerceStore(products=9), FakeWooCommerceStore(products=6)
    with big.serve(), small.serve():
        yield big, small


def sku_rows(page: str) -> dict[str, dict[str, str]]:
    """SKU → {store name (column) → the cell's words}."""
    table = page.split('data-testid="sku-table"')[1].split("</table>")[0]
    rows = {}
    for sku, body in re.findall(r'<tr data-sku="([^"]+)">(.*?)</tr>', table, re.S):
        cells = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', body, re.S)
        rows[sku] = {label: page_text(text) for label, text in cells}
    return rows


async def test_skus_side_by_side_with_filters_and_counts(
    client: AsyncTestClient[Any],
    user: WebUser,
    pair: tuple[FakeWooCommerceStore, FakeWooCommerceStore],
) -> None:
    big = await synced_store(client, user, pair[0], name="Big shop")
    small = await synced_store(client, user, pair[1], name="Small shop")

    everything = sku_rows((await client.get("/skus")).text)
    assert everything
    both = [sku for sku, row in everything.items() if "Missing" not in row.values()]
    assert both, everything
    assert all(row["Big shop"] != "Missing" for row in everything.values())
    missing = {sku for sku, row in everything.items() if row["Small shop"] == "Missing"}
    assert missing, everything

    only_missing = sku_rows((await client.get("/skus", params={"missing_in": small.store_id})).text)
    assert set(only_missing) == missing
    held = sku_rows((await client.get("/skus", params={"store": small.store_id})).text)
    assert set(held) == set(everything) - missing
    assert sku_rows((await client.get("/skus", params={"differs": "1"})).text) == {}

    # A new price in one store makes its SKU differ: listed under "differs" and counted.
    page = await client.get(f"/stores/{big.store_id}", params={"q": both[0]})
    product_id = next(
        pid for pid in product_ids(page.text) if both[0] in product_row(page.text, pid)
    )
    form = {**row_form(product_row(page.text, product_id)), "price": "77.70"}
    posted = await post_form(client, f"/stores/{big.store_id}/products/edit", form)
    assert posted.status_code == 303
    differing = sku_rows((await client.get("/skus", params={"differs": "1"})).text)
    assert list(differing) == [both[0]]
    assert "77.70" in differing[both[0]]["Big shop"]
    skus = await client.get("/skus", params={"differs": "1"})
    assert by_testid(skus.text, "sku-differing") == "1"
    overview = await client.get("/overview")
    assert by_testid(overview.text, "stat-sku-conflicts") == "1"
    assert "1 differ between stores" in by_testid(overview.text, "sku-conflicts")
    assert 'href="/skus"' in overview.text

    # Paged by cursor: one SKU a page still reaches every SKU, once.
    seen: list[str] = []
    url = "/skus?per_page=1"
    while url:
        shown = await client.get(url)
        seen += list(sku_rows(shown.text))
        following = re.search(r'href="(/skus\?[^"]*cursor=[^"]+)" rel="next"', shown.text)
        url = following.group(1).replace("&amp;", "&") if following else ""
    assert seen == list(everything)


@pytest.mark.parametrize("hub_settings", ["sqlite"], indirect=True)
async def test_the_overview_counts_sku_conflicts_while_a_store_syncs(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    slow = FakeWooCommerceStore(products=4, latency=0.3)
    with slow.serve():
        store_id = await add_store(client, user, slow)
        during = await client.get("/overview")
        assert 'data-refresh="true"' in during.text  # the sync is still running
        # The counts as they stand, not a placeholder until the sync is over.
        assert re.fullmatch(r"\d+", by_testid(during.text, "stat-sku-conflicts"))
        assert "differ between stores" in by_testid(during.text, "sku-conflicts")
        await wait_for_sync(client, store_id)
    after = await client.get("/overview")
    assert by_testid(after.text, "stat-sku-conflicts") == "0"
