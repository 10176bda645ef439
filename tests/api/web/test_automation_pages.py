"""The Automation page without JavaScript: a rule made through the form (inventory with a
buffer, price with rounding) shows its dry run before it is switched on, switches on and off,
runs, lists its runs and its writes, and is deleted; bad input is shown again next to each field
with nothing lost; another tenant's rule is a 404 on every rule page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.web.helpers import (
    WebUser,
    add_store,
    by_testid,
    page_text,
    post_form,
    sign_up,
    wait_for_sync,
)


@pytest.fixture
def twins() -> Iterator[tuple[FakeWooCommerceStore, FakeWooCommerceStore]]:
    first = FakeWooCommerceStore(products=8, store_name="Main shop")
    second = FakeWooCommerceStore(products=8, store_name="Outlet")
    with first.serve(), second.serve():
        yield first, second


async def _two_stores(
    client: AsyncTestClient[Any],
    user: WebUser,
    twins: tuple[FakeWooCommerceStore, FakeWooCommerceStore],
) -> tuple[str, str]:
    source = await add_store(client, user, twins[0], name="Main shop")
    target = await add_store(client, user, twins[1], name="Outlet")
    for store_id in (source, target):
        assert (await wait_for_sync(client, store_id))["active"] is False
    return source, target


def audit_rows(page: str) -> list[dict[str, str]]:
    """A store's audit trail: each row's cells by their label."""
    table = page.split('data-testid="audit"')[1].split("</table>")[0].split("<tbody>")[1]
    return [
        {
            label: page_text(text)
            for label, text in re.findall(r'data-label="([^"]+)">(.*?)</td>', row, re.S)
        }
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        if "data-label" in row
    ]


def _rule_id(location: str) -> str:
    match = re.match(r"^/automation/rules/([0-9a-f-]{36})\?done=created$", location)
    assert match, location
    return match.group(1)


async def test_an_inventory_rule_from_the_form_to_its_writes(
    client: AsyncTestClient[Any], twins: tuple[FakeWooCommerceStore, FakeWooCommerceStore]
) -> None:
    user = await sign_up(client)
    variable = twins[0].variable_product_ids()
    product_id = next(pid for pid in twins[0].product_ids() if pid not in variable)
    async with gc.create_connector(twins[0].credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=40))
        name = (await shop.get_product(product_id)).name
    source, target = await _two_stores(client, user, twins)
    empty = await client.get("/automation")
    assert empty.status_code == 200
    assert "No rules yet" in page_text(empty.text)

    refused = await post_form(
        client,
        "/automation/rules/new",
        {
            "_csrf": user.csrf,
            "name": "",
            "kind": "inventory",
            "source_store_id": source,
            "buffer": "-3",
            "excluded_skus": "SKU-KEEP-1, SKU-KEEP-2",
        },
    )
    assert refused.status_code == 422
    assert "Enter a name." in refused.text
    assert "Enter a whole number from 0 to 1,000,000." in refused.text
    assert "Pick at least one store to keep in step." in refused.text
    assert 'value="SKU-KEEP-1, SKU-KEEP-2"' in refused.text  # nothing lost
    assert 'value="-3"' in refused.text

    created = await post_form(
        client,
        "/automation/rules/new",
        {
            "_csrf": user.csrf,
            "name": "Stock from the main shop",
            "kind": "inventory",
            "source_store_id": source,
            f"target_{target}": "on",
            "buffer": "2",
        },
    )
    assert created.status_code == 303, created.text
    rule_id = _rule_id(created.headers["location"])
    async with gc.create_connector(twins[1].credentials()) as outlet:
        before = (await outlet.get_product(product_id)).stock_quantity
    rule_page = await client.get(created.headers["location"])
    assert by_testid(rule_page.text, "rule-status") == "Off"
    plan = by_testid(rule_page.text, "dry-run")
    assert "38" in plan  # 40 at the source, 2 kept back
    assert name in plan  # the product by its name, not its id alone
    # The source has neither a schedule nor webhooks: the page says how its sales get in.
    freshness = by_testid(rule_page.text, "source-freshness")
    assert "Main shop has no real-time updates and no automatic syncs" in freshness
    assert "Sync now" in freshness
    assert "The rule has written nothing yet." in page_text(rule_page.text)
    listing = await client.get("/automation")
    assert "Stock from the main shop" in by_testid(listing.text, "rules")

    switched = await post_form(
        client, f"/automation/rules/{rule_id}/switch", {"_csrf": user.csrf, "enabled": "on"}
    )
    assert switched.status_code == 303
    assert by_testid((await client.get(switched.headers["location"])).text, "rule-status") == "On"
    ran = await post_form(client, f"/automation/rules/{rule_id}/run", {"_csrf": user.csrf})
    assert ran.status_code == 303
    after = await client.get(ran.headers["location"])
    assert f"Run by {user.email}" in by_testid(after.text, "runs")
    assert "38" in by_testid(after.text, "rule-audit")
    assert name in by_testid(after.text, "rule-audit")
    # The target's audit trail names the rule that wrote, and the product.
    target_audit = (await client.get(f"/stores/{target}/audit")).text
    # (The run that switching on starts and the manual run may both plan it: the later one's
    # compare-and-set finds 38 already there and records a conflict, writing nothing.)
    written = [
        row
        for row in audit_rows(target_audit)
        if row["Product"] == name and row["Result"] == "Applied"
    ]
    assert [(row["Who"], row["Change"]) for row in written] == [
        ("Rule “Stock from the main shop”", f"{before} → 38")
    ]
    assert "Nothing to change" in by_testid(after.text, "plan-count")
    off = await post_form(
        client, f"/automation/rules/{rule_id}/switch", {"_csrf": user.csrf, "enabled": "off"}
    )
    assert by_testid((await client.get(off.headers["location"])).text, "rule-status") == "Off"

    await client.post("/logout", data={"_csrf": user.csrf})
    intruder = await sign_up(client, business="Intruder")
    for url in (f"/automation/rules/{rule_id}", f"/automation/rules/{rule_id}/delete"):
        assert (await client.get(url)).status_code == 404, url
    for url in ("switch", "run", "delete"):
        answer = await post_form(
            client, f"/automation/rules/{rule_id}/{url}", {"_csrf": intruder.csrf, "enabled": "on"}
        )
        assert answer.status_code == 404, url
    assert "Stock from the main shop" not in (await client.get("/automation")).text


async def test_a_price_rule_shows_its_rounded_prices_then_is_deleted(
    client: AsyncTestClient[Any], twins: tuple[FakeWooCommerceStore, FakeWooCommerceStore]
) -> None:
    user = await sign_up(client)
    variable = twins[0].variable_product_ids()
    product_id = next(pid for pid in twins[0].product_ids() if pid not in variable)
    async with gc.create_connector(twins[0].credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(price=Decimal("24.10")))
    source, target = await _two_stores(client, user, twins)
    form = {
        "_csrf": user.csrf,
        "name": "Outlet prices",
        "kind": "price",
        "source_store_id": source,
        f"target_{target}": "on",
        "direction": "up",
        "price_adjustment": "ten",
        "price_adjustment_type": "percent",
        "price_rounding": "end_99",
        "sync_price": "on",
    }
    refused = await post_form(client, "/automation/rules/new", form)
    assert refused.status_code == 422
    assert "Enter a number, 0 or more" in refused.text
    assert 'value="Outlet prices"' in refused.text

    created = await post_form(client, "/automation/rules/new", {**form, "price_adjustment": "10"})
    assert created.status_code == 303, created.text
    rule_page = await client.get(created.headers["location"])
    assert "plus 10%, rounded to end in .99" in by_testid(rule_page.text, "rule-summary")
    plan = by_testid(rule_page.text, "dry-run")
    assert "26.99" in plan  # 24.10 + 10% = 26.51
    planned = re.findall(r'class="planned">([^<]*)<', rule_page.text)
    assert "26.99" in planned
    assert all(price.endswith(".99") for price in planned)

    rule_id = _rule_id(created.headers["location"])
    confirm = await client.get(f"/automation/rules/{rule_id}/delete")
    assert "Delete the rule" in confirm.text
    deleted = await post_form(client, f"/automation/rules/{rule_id}/delete", {"_csrf": user.csrf})
    assert deleted.headers["location"] == "/automation?done=deleted"
    assert (await client.get(f"/automation/rules/{rule_id}")).status_code == 404
