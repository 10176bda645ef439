"""Price rules over HTTP with two fake stores of one catalog: the dry run shows the rounded
prices (as exact decimal text) and writes nothing; a run writes them, is listed with its counts,
and the audit trail names the rule; bad input is a 422 naming the field; another tenant's rule
is 404 on every route; a deleted rule is gone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar.testing import AsyncTestClient

import g4hub_connectors as gc
from tests.api.rules.conftest import Twins, simple_product_id
from tests.api.stores.helpers import sign_up
from tests.api.sync.helpers import add_synced_store


async def test_a_price_rule_with_rounding_over_http(
    client: AsyncTestClient[Any], twins: Twins
) -> None:
    account = await sign_up(client)
    product_id = simple_product_id(twins[0])
    async with gc.create_connector(twins[0].credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(price=Decimal("24.10")))
    source = await add_synced_store(client, account, twins[0], "Source")
    target = await add_synced_store(client, account, twins[1], "Target")

    refused = await client.post(
        "/api/rules",
        json={
            "name": "Bad",
            "kind": "price",
            "source_store_id": source,
            "target_store_ids": [target],
            "price_rounding": "to the moon",
        },
        headers=account.headers,
    )
    assert refused.status_code == 422
    assert "price_rounding" in refused.text

    created = await client.post(
        "/api/rules",
        json={
            "name": "Marketplace +10%",
            "kind": "price",
            "source_store_id": source,
            "target_store_ids": [target],
            "price_adjustment_type": "percent",
            "price_adjustment": "10",
            "price_rounding": "end_99",
        },
        headers=account.headers,
    )
    assert created.status_code == 201, created.text
    rule = created.json()
    assert (rule["kind"], rule["price_rounding"], rule["sync_price"]) == ("price", "end_99", True)
    plan = (await client.get(f"/api/rules/{rule['id']}/dry-run", headers=account.headers)).json()
    assert all(c["field"] == "price" and c["new"].endswith(".99") for c in plan["changes"])
    ours = [c for c in plan["changes"] if c["new"] == "26.99"]  # 24.10 + 10% = 26.51
    assert [c["store_id"] for c in ours] == [target]
    async with gc.create_connector(twins[1].credentials()) as shop:
        before = await shop.get_product(ours[0]["product_id"])
    assert (before.regular_price or before.price) == Decimal(ours[0]["old"])  # nothing written
    assert (await client.get(f"/api/rules/{rule['id']}/runs", headers=account.headers)).json() == {
        "items": []
    }

    ran = await client.post(f"/api/rules/{rule['id']}/run", headers=account.headers)
    assert ran.status_code == 200, ran.text
    async with gc.create_connector(twins[1].credentials()) as shop:
        after = await shop.get_product(ours[0]["product_id"])
    assert (after.regular_price or after.price) == Decimal("26.99")
    runs = (await client.get(f"/api/rules/{rule['id']}/runs", headers=account.headers)).json()
    assert [r["trigger"] for r in runs["items"]] == ["manual"]
    assert runs["items"][0]["actor"]  # the user who ran it
    assert runs["items"][0]["counts"]["applied"] >= 1
    trail = await client.get("/api/audit", params={"rule_id": rule["id"]}, headers=account.headers)
    assert ("price", "26.99") in [(e["field"], e["new_value"]) for e in trail.json()["items"]]

    intruder = await sign_up(client, tenant_name="Intruder")
    for method, path in [
        ("GET", ""),
        ("GET", "/runs"),
        ("GET", "/dry-run"),
        ("POST", "/run"),
        ("DELETE", ""),
    ]:
        answer = await client.request(
            method, f"/api/rules/{rule['id']}{path}", headers=intruder.headers
        )
        assert answer.status_code == 404, (method, path)

    gone = await client.delete(f"/api/rules/{rule['id']}", headers=account.headers)
    assert gone.status_code == 204
    assert (
        await client.get(f"/api/rules/{rule['id']}", headers=account.headers)
    ).status_code == 404
    assert (await client.get("/api/rules", headers=account.headers)).json() == {"items": []}
