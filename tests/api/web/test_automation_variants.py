"""The Automation page's dry run of a rule on variable products: each variation is its own line
(its variant named), and running the rule writes that variation at the target."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from hub_api.web import automation
from tests.api.web.helpers import add_store, by_testid, post_form, sign_up, wait_for_sync


@pytest.fixture
def twins() -> Iterator[tuple[FakeWooCommerceStore, FakeWooCommerceStore]]:
    first = FakeWooCommerceStore(products=8, store_name="Main shop")
    second = FakeWooCommerceStore(products=8, store_name="Outlet")
    with first.serve(), second.serve():
        yield first, second


async def test_a_variations_stock_is_a_line_of_the_dry_run_and_written_by_the_run(
    client: AsyncTestClient[Any],
    twins: tuple[FakeWooCommerceStore, FakeWooCommerceStore],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = await sign_up(client)
    product_id = sorted(twins[0].variable_product_ids())[0]
    async with gc.create_connector(twins[0].credentials()) as shop:
        named = await shop.get_product(product_id)
        variant = next(v for v in named.variants if v.sku)
        await shop.update_product(
            product_id, gc.ProductUpdate(variant_id=variant.id, stock_quantity=61)
        )
    source = await add_store(client, user, twins[0], name="Main shop")
    target = await add_store(client, user, twins[1], name="Outlet")
    for store_id in (source, target):
        assert (await wait_for_sync(client, store_id))["active"] is False
    created = await post_form(
        client,
        "/automation/rules/new",
        {
            "_csrf": user.csrf,
            "name": "Stock from the main shop",
            "kind": "inventory",
            "source_store_id": source,
            f"target_{target}": "on",
            "buffer": "1",
        },
    )
    assert created.status_code == 303, created.text
    plan = await client.get(created.headers["location"])
    lines = re.findall(r"<tr>(.*?)</tr>", plan.text.split('data-testid="dry-run"')[1], re.S)
    ours = [line for line in lines if f"<code>{variant.sku}</code>" in line]
    assert len(ours) == 1
    # The variation by its product's name and its own title, not by ids.
    assert variant.title
    assert html.escape(f"{named.name} · {variant.title}", quote=False) in ours[0]
    assert ">60<" in ours[0]  # 61 at the source, 1 kept back
    assert "A run writes" not in by_testid(plan.text, "plan-count")
    monkeypatch.setattr(automation, "MAX_RUN_CHANGES", 1)  # a plan longer than a run
    longer = by_testid((await client.get(created.headers["location"])).text, "plan-count")
    assert "A run writes 1 products or variants of the" in longer

    ran = await post_form(
        client, f"{created.headers['location'].split('?')[0]}/run", {"_csrf": user.csrf}
    )
    assert ran.status_code == 303
    async with gc.create_connector(twins[1].credentials()) as outlet:
        written = await outlet.get_product(product_id)
    assert [v.stock_quantity for v in written.variants if v.id == variant.id] == [60]
    after = by_testid((await client.get(ran.headers["location"])).text, "plan-count")
    assert "Nothing to change" in after
