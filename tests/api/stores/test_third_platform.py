"""A third platform, installed only through its entry point (Acme, shipped with the tests), goes
through the API like the built-in ones: checked, added, synced, its products listed; its body is
checked against its own descriptor. Nothing in the hub names it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.api.stores.helpers import Account, assert_no_secret
from tests.connectors.contract.acme import FakeAcmeStore
from tests.connectors.contract.acme.plugin import acme_installed


@pytest.fixture
def acme() -> Iterator[FakeAcmeStore]:
    store = FakeAcmeStore(products=25)
    with acme_installed(), store.serve():
        yield store


async def test_a_third_platform_is_checked_added_synced_and_listed(
    client: AsyncTestClient[Any], account: Account, acme: FakeAcmeStore
) -> None:
    checked = await client.post(
        "/api/stores/test-connection", json=acme.credentials(), headers=account.headers
    )
    assert checked.status_code == 200, checked.text
    assert (checked.json()["success"], checked.json()["products_count"]) == (True, 25)

    added = await client.post(
        "/api/stores",
        json={"name": "Acme shop", "sync": True, **acme.credentials()},
        headers=account.headers,
    )
    assert added.status_code == 201, added.text
    store = added.json()
    assert store["platform"] == "acme"
    assert store["credentials_hint"] == "acme_…" + acme.token[-4:]

    for _ in range(200):
        logs = await client.get(f"/api/sync/logs?store_id={store['id']}", headers=account.headers)
        items = logs.json()["items"]
        if items and items[0]["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.05)
    assert items[0]["status"] == "succeeded", items[0]
    products = await client.get(f"/api/stores/{store['id']}/products", headers=account.headers)
    assert products.json()["total"] == 25
    assert_no_secret([checked.text, added.text, products.text], acme.credentials())


async def test_a_third_platform_body_is_checked_against_its_descriptor(
    client: AsyncTestClient[Any], account: Account, acme: FakeAcmeStore
) -> None:
    mixed = {**acme.credentials(), "consumer_key": "ck_" + "1" * 40}
    refused = await client.post("/api/stores/test-connection", json=mixed, headers=account.headers)
    assert refused.status_code == 422
    assert "consumer_key" in refused.json()["error"]["details"]
    assert "ck_" + "1" * 40 not in refused.text
    wrong = await client.post(
        "/api/stores/test-connection", json=acme.wrong_credentials(), headers=account.headers
    )
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert wrong.json()["remedy"] == "fix_settings"
