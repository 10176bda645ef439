"""Platform descriptors: how credential changes merge, how hints mask, which messages and advice
a platform gives (g4hub_connectors.descriptor)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

import g4hub_connectors as gc

SHOPIFY = gc.get_descriptor("shopify")
WOO = gc.get_descriptor("woocommerce")
TOKEN = "shpat_" + "a1" * 16


def test_a_change_to_one_way_of_authenticating_drops_the_other() -> None:
    current = {"platform": "shopify", "store_url": "u", "access_token": TOKEN}
    moved = SHOPIFY.merge(current, {"client_id": "id", "client_secret": "s"})
    assert "access_token" not in moved
    assert (moved["client_id"], moved["client_secret"]) == ("id", "s")
    back = SHOPIFY.merge(moved, {"access_token": TOKEN})
    assert "client_id" not in back
    assert "client_secret" not in back


def test_a_change_within_one_set_keeps_the_rest_of_it() -> None:
    current = {"platform": "woocommerce", "consumer_key": "ck_1", "consumer_secret": "cs_1"}
    assert WOO.merge(current, {"consumer_secret": "cs_2"}) == {
        "platform": "woocommerce",
        "consumer_key": "ck_1",
        "consumer_secret": "cs_2",
    }
    assert WOO.merge(current, {"store_url": "x"})["consumer_key"] == "ck_1"


def test_hints_keep_known_prefixes_and_the_last_four() -> None:
    assert WOO.credentials_hint({"consumer_key": SecretStr("ck_" + "9" * 36 + "a1b2")}) == (
        "ck_…a1b2"
    )
    assert SHOPIFY.credentials_hint({"access_token": TOKEN}) == "shpat_…a1a1"
    assert SHOPIFY.credentials_hint({"client_id": "1234", "client_secret": "s"}) == "client 1234"
    assert SHOPIFY.mask("short") == "…"


def test_missing_fields_follow_the_set_being_filled() -> None:
    assert SHOPIFY.missing({"client_id": "id"}) == {"client_secret": "Enter the client secret."}
    assert set(SHOPIFY.missing({})) == {"client_id", "client_secret"}
    assert SHOPIFY.missing({"access_token": TOKEN}) == {}


def test_addresses_only_one_platform_serves_are_claimed() -> None:
    assert SHOPIFY.claims_url("https://plum.myshopify.com/admin")
    assert SHOPIFY.claims_url("plum.myshopify.com")
    assert not SHOPIFY.claims_url("https://myshopify.com.evil.example")
    assert not WOO.claims_url("https://plum.myshopify.com")


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (
            gc.AuthenticationError("401", platform="woocommerce"),
            "Unable to connect to your WooCommerce store. Please check your Consumer Key and "
            "Secret.",
        ),
        (
            gc.PermissionDeniedError("403", platform="shopify", missing_scopes=["read_products"]),
            "Your Shopify access token doesn't have required permissions. Please regenerate "
            "with 'read_products' scope.",
        ),
        (
            gc.AuthenticationError("401", platform="bigcommerce"),
            "Unable to connect to your Bigcommerce store. Please check your credentials.",
        ),
    ],
)
def test_user_messages_come_from_the_platforms_descriptor(
    error: gc.ConnectorError, says: str
) -> None:
    assert error.user_message == says


def test_advice_follows_the_code_then_the_remedy() -> None:
    assert "Permalinks" in WOO.advice_for("permalinks_required", gc.Remedy.FIX_SETTINGS)
    assert "Dev Dashboard" in SHOPIFY.advice_for("permission_denied", gc.Remedy.FIX_SETTINGS)
    refused = WOO.advice_for("platform_unavailable", gc.Remedy.RETRY)
    assert "address and port" in refused
    assert "having trouble" not in refused
    assert "operator" in WOO.advice_for("something_new", gc.Remedy.REPORT)
