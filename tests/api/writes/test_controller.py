"""The write routes over HTTP against a fake store on loopback: PATCH a product (applied,
conflict), a bulk job with progress and per-item results, the audit trail as JSON and CSV."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from litestar.testing import AsyncTestClient

import g4hub_connectors as gc
from tests.api.stores.helpers import sign_up
from tests.api.writes.conftest import Linked


async def _patch(
    client: AsyncTestClient[Any], linked: Linked, body: dict[str, Any], **headers: str
) -> Any:
    return await client.patch(
        f"/api/stores/{linked.store_id}/products/{linked.product_id}",
        json=body,
        headers={**linked.account.headers, **headers},
    )


async def test_a_patch_writes_the_store_and_the_hub_row(
    client: AsyncTestClient[Any], linked: Linked
) -> None:
    response = await _patch(client, linked, {"price": "24.50", "stock_quantity": 9})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "applied"
    assert response.headers["etag"] == f'"{body["etag"]}"'
    async with linked.outside() as shop:
        product = await shop.get_product(linked.product_id)
    assert (str(product.regular_price), product.stock_quantity) == ("24.50", 9)
    row = await client.get(
        f"/api/stores/{linked.store_id}/products/{linked.product_id}",
        headers=linked.account.headers,
    )
    assert row.json()["stock_quantity"] == 9

    again = await _patch(client, linked, {"price": "25.00"}, **{"If-Match": "W/nope"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "stale_etag"
    fresh = await _patch(
        client, linked, {"price": "25.00"}, **{"If-Match": response.headers["etag"]}
    )
    assert fresh.status_code == 200, fresh.text


async def test_a_change_at_the_store_in_between_is_409_and_nothing_is_written(
    client: AsyncTestClient[Any], linked: Linked
) -> None:
    async with linked.outside() as shop:
        await shop.update_product(
            linked.product_id, gc.ProductUpdate(stock_quantity=linked.stock - 1)
        )
    response = await _patch(client, linked, {"stock_quantity": linked.stock + 100})
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "write_conflict"
    assert error["details"]["current"]["stock_quantity"] == linked.stock - 1
    async with linked.outside() as shop:
        assert (await shop.get_product(linked.product_id)).stock_quantity == linked.stock - 1


async def test_a_patch_without_a_field_is_refused(
    client: AsyncTestClient[Any], linked: Linked
) -> None:
    response = await _patch(client, linked, {"variant_id": "1"})
    assert response.status_code in (400, 422)
    assert "error" in response.json()


async def test_a_bulk_update_runs_as_a_job_with_each_items_result(
    client: AsyncTestClient[Any], linked: Linked
) -> None:
    response = await client.post(
        f"/api/stores/{linked.store_id}/products/bulk-update",
        json={
            "items": [
                {"product_id": linked.product_id, "stock_quantity": 33},
                {"product_id": "999999", "stock_quantity": 1},
            ]
        },
        headers=linked.account.headers,
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    for _ in range(200):
        job = (await client.get(f"/api/write-jobs/{job_id}", headers=linked.account.headers)).json()
        if job["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.05)
    assert (job["status"], job["done"], job["total"]) == ("succeeded", 2, 2)
    assert [item["status"] for item in job["results"]] == ["applied", "failed"]
    intruder = await sign_up(client, tenant_name="Intruder")
    hidden = await client.get(f"/api/write-jobs/{job_id}", headers=intruder.headers)
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "not_found")

    too_many = [{"product_id": "1", "stock_quantity": 1}] * 1001
    refused = await client.post(
        f"/api/stores/{linked.store_id}/products/bulk-update",
        json={"items": too_many},
        headers=linked.account.headers,
    )
    assert refused.status_code in (400, 422)


async def test_the_audit_trail_filters_and_exports_csv(
    client: AsyncTestClient[Any], linked: Linked
) -> None:
    assert (await _patch(client, linked, {"stock_quantity": 4})).status_code == 200
    page = await client.get(
        "/api/audit",
        params={"store_id": linked.store_id, "product_id": linked.product_id},
        headers=linked.account.headers,
    )
    assert page.status_code == 200, page.text
    [entry] = page.json()["items"]
    assert (entry["field"], entry["old_value"], entry["new_value"], entry["result"]) == (
        "stock_quantity",
        str(linked.stock),
        "4",
        "applied",
    )
    assert entry["actor"].endswith("@example.com")
    other = await client.get(
        "/api/audit", params={"product_id": "nope"}, headers=linked.account.headers
    )
    assert other.json()["items"] == []

    exported = await client.get(
        "/api/audit", params={"format": "csv"}, headers=linked.account.headers
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv"), exported.headers
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["product_id"], r["field"], r["new_value"]) for r in table] == [
        (linked.product_id, "stock_quantity", "4")
    ]
