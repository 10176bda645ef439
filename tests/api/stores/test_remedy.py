"""A store's failure answers by its remedy, mapped to HTTP in one place: settings to fix are 422
(a frozen Shopify store included: the merchant must act), passing trouble 502 / 504, the store's
own request id in the error's details and in the check's answer."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors import Remedy
from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import StoreConnectionFailed
from hub_api.errors import core_status
from tests.api.stores.helpers import Account


@pytest.mark.parametrize(
    ("remedy", "code", "status"),
    [
        (Remedy.FIX_SETTINGS, "store_unavailable", 422),
        (Remedy.FIX_SETTINGS, "invalid_credentials", 422),
        (Remedy.FIX_SETTINGS, "permalinks_required", 422),
        (Remedy.FIX_REQUEST, "not_found", 422),
        (Remedy.RETRY, "timeout", 504),
        (Remedy.RETRY, "platform_unavailable", 502),
        (Remedy.RETRY, "rate_limited", 502),
        (Remedy.REPORT, "unexpected_response", 502),
    ],
)
def test_the_status_follows_the_remedy(remedy: Remedy, code: str, status: int) -> None:
    assert core_status(StoreConnectionFailed("x", code=code, remedy=remedy)) == status


async def test_a_frozen_shopify_store_is_a_settings_problem(
    client: AsyncTestClient[Any], account: Account, shop: FakeShopifyStore
) -> None:
    # Shopify answers 402 for a shop frozen over an unpaid bill: the merchant must act.
    shop.inject("status", status=402, times=None)
    checked = await client.post(
        "/api/stores/test-connection", json=shop.credentials(), headers=account.headers
    )
    assert checked.status_code == 200
    assert checked.json()["error"]["code"] == "store_unavailable"
    assert checked.json()["remedy"] == "fix_settings"
    request_id = checked.json()["request_id"]
    assert request_id  # Shopify's X-Request-Id, for its support

    added = await client.post(
        "/api/stores", json={"name": "Frozen", **shop.credentials()}, headers=account.headers
    )
    assert added.status_code == 422, added.text
    error = added.json()["error"]
    assert error["code"] == "store_unavailable"
    assert error["details"]["request_id"]


async def test_a_store_that_keeps_failing_is_a_bad_gateway(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    woo.inject("status", status=503, times=None)
    added = await client.post(
        "/api/stores",
        json={"name": "Down", **woo.credentials()},
        headers=account.headers,
    )
    assert added.status_code == 502
    assert added.json()["error"]["code"] == "platform_unavailable"


async def test_the_platforms_request_id_is_logged(
    client: AsyncTestClient[Any],
    account: Account,
    shop: FakeShopifyStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="g4hub_core.stores")
    shop.inject("status", status=402, times=None)
    checked = await client.post(
        "/api/stores/test-connection", json=shop.credentials(), headers=account.headers
    )
    request_id = checked.json()["request_id"]
    assert request_id
    assert f"request id {request_id}" in caplog.text
    assert shop.access_token not in caplog.text
