"""The stores domain's input and output shapes."""

from __future__ import annotations

import pydantic
import pytest

from g4hub_core.stores import ConnectionCheck, StoreCreate, StoreCredentials, StoreRead, StoreUpdate

SECRET = "cs_" + "7" * 40


def test_credentials_keep_secrets_masked_and_drop_empty_fields() -> None:
    credentials = StoreCredentials(
        platform="woocommerce",
        store_url="https://shop.example",
        consumer_key="ck_" + "1" * 40,
        consumer_secret=SECRET,
    )
    assert SECRET not in repr(credentials) + str(credentials) + credentials.model_dump_json()
    settings = credentials.connector_settings()
    assert set(settings) == {"platform", "store_url", "consumer_key", "consumer_secret"}
    assert settings["consumer_secret"].get_secret_value() == SECRET


def test_a_new_store_needs_a_name() -> None:
    base = {"platform": "shopify", "store_url": "shop", "access_token": "shpat_x"}
    assert StoreCreate(name="  Shop  ", **base).name == "Shop"
    assert "name" not in StoreCreate(name="Shop", **base).connector_settings()
    for name in ("", "   ", "x" * 201):
        with pytest.raises(pydantic.ValidationError):
            StoreCreate(name=name, **base)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        StoreCredentials(platform="woocommerce", store_url="x", password="hunter2")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        StoreUpdate(password="hunter2")  # type: ignore[call-arg]


def test_an_update_gives_only_the_connection_settings_it_changes() -> None:
    assert StoreUpdate(name="New").connection_changes() == {}
    changes = StoreUpdate(name="New", platform="shopify", access_token="t").connection_changes()
    assert set(changes) == {"access_token"}


def test_a_store_reads_back_without_credentials() -> None:
    assert not {"api_credentials", "consumer_key", "consumer_secret", "access_token"} & set(
        StoreRead.model_fields
    )


def test_a_failed_check_gives_its_error_as_code_and_message() -> None:
    failed = ConnectionCheck(
        success=False, platform="shopify", error_code="invalid_credentials", error_message="No."
    )
    assert failed.model_dump()["error"] == {"code": "invalid_credentials", "message": "No."}
    assert ConnectionCheck(success=True, platform="shopify").model_dump()["error"] is None
