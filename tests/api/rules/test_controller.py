"""Inventory rules over HTTP with two fake stores of one catalog: a dry run lists what a run
then writes (the source's stock minus the buffer), and the audit trail names the rule; another
tenant's store cannot be a rule's source."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

import g4hub_connectors as gc
from tests.api.rules.conftest import Twins, simple_product_id
from tests.api.stores.helpers import sign_up
from tests.api.sync.helpers import add_synced_store


async def test_a_rule_dry_run_then_run_keeps_the_target_at_the_source_minus_the_buffer(
    client: AsyncTestClient[Any], twins: Twins
) -> None:
    account = await sign_up(client)
    product_id = simple_product_id(twins[0])
    async with gc.create_connector(twins[0].credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=50))
    source = await add_synced_store(client, account, twins[0], "Source")
    target = await add_synced_store(client, account, twins[1], "Target")

    created = await client.post(
        "/api/rules",
        json={
            "name": "Mirror",
            "source_store_id": source,
            "target_store_ids": [target],
            "buffer": 5,
        },
        headers=account.headers,
    )
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]
    plan = (await client.get(f"/api/rules/{rule_id}/dry-run", headers=account.headers)).json()
    planned = [c for c in plan["changes"] if c["new"] == 45]
    assert [c["store_id"] for c in planned] == [target]
    async with gc.create_connector(twins[1].credentials()) as shop:
        before = await shop.get_product(planned[0]["product_id"])
    assert before.stock_quantity == planned[0]["old"]  # the dry run wrote nothing

    ran = await client.post(f"/api/rules/{rule_id}/run", headers=account.headers)
    assert ran.status_code == 200, ran.text
    async with gc.create_connector(twins[1].credentials()) as shop:
        assert (await shop.get_product(planned[0]["product_id"])).stock_quantity == 45
    trail = await client.get("/api/audit", params={"rule_id": rule_id}, headers=account.headers)
    assert "45" in [entry["new_value"] for entry in trail.json()["items"]]

    intruder = await sign_up(client, tenant_name="Intruder")
    taken = await client.post(
        "/api/rules",
        json={"name": "x", "source_store_id": source, "target_store_ids": [target]},
        headers=intruder.headers,
    )
    assert taken.status_code == 404
    hidden = await client.get(f"/api/rules/{rule_id}/dry-run", headers=intruder.headers)
    assert hidden.status_code == 404
    switched = await client.patch(
        f"/api/rules/{rule_id}", json={"enabled": True}, headers=account.headers
    )
    assert (switched.status_code, switched.json()["enabled"]) == (200, True)
    assert (await client.get("/api/rules", headers=intruder.headers)).json() == {"items": []}
