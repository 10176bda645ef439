"""The add-store wizard without JavaScript: each step a form, a real connection test against the
fake stores, the sealed draft between steps, and the messages a merchant reads on failure."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore, FakeStore, FakeWooCommerceStore
from g4hub_core import Hub
from hub_api.web import draft as drafts
from tests.api.stores.helpers import SECRET_FIELDS
from tests.api.web.helpers import (
    WebUser,
    add_store,
    alert_text,
    field_value,
    page_text,
    post_form,
    sign_up,
    wait_for_sync,
    wizard_test,
)
from tests.connectors.contract.acme import FakeAcmeStore
from tests.connectors.contract.acme.plugin import acme_installed


async def connector_message(client: AsyncTestClient[Any], store: FakeStore, **extra: str) -> str:
    """What the API's own check says for these settings (the connector's user message)."""
    account = await client.post(
        "/api/auth/register",
        json={
            "email": f"api-{uuid.uuid4().hex[:8]}@example.com",
            "password": "plum-orchard-42",
            "tenant_name": "Check",
        },
        headers={"Cookie": ""},
    )
    token = account.json()["access_token"]
    checked = await client.post(
        "/api/stores/test-connection",
        json={**store.credentials(), **extra},
        headers={"Authorization": f"Bearer {token}", "Cookie": ""},
    )
    message: str = checked.json()["error"]["message"]
    return message


@pytest.mark.parametrize("platform", ["woocommerce", "shopify"])
async def test_add_a_store_end_to_end_without_javascript(
    client: AsyncTestClient[Any],
    user: WebUser,
    woo: FakeWooCommerceStore,
    shop: FakeShopifyStore,
    platform: str,
) -> None:
    store: FakeStore = woo if platform == "woocommerce" else shop
    expected_name, count = ("Plum Orchard Shop", 45) if store is woo else ("Harbour Goods", 12)

    choose = await client.get("/stores/new")
    assert 'value="woocommerce"' in choose.text
    assert 'value="shopify"' in choose.text
    credentials = await client.get("/stores/new/credentials", params={"platform": platform})
    labels = re.findall(r"<label for=\"f-[a-z_]+\">([^<]+)</label>", credentials.text)
    if store is woo:
        assert labels == ["Store URL", "Consumer key", "Consumer secret"]
    else:
        # A Dev Dashboard app's client ID and secret first, the legacy token beside them.
        assert labels == ["Store URL", "Client ID", "Client secret", "Admin API access token"]
        assert "Dev Dashboard" in credentials.text
    assert 'data-loading-text="Testing connection…"' in credentials.text

    tested = await wizard_test(client, user, store)
    assert tested.status_code == 200
    text = page_text(tested.text)
    assert f"Connected to {expected_name}" in text
    assert f"{count} products" in text

    draft = field_value(tested.text, "draft")
    configure = await post_form(
        client, "/stores/new/configure", {"_csrf": user.csrf, "draft": draft}
    )
    assert field_value(configure.text, "name") == expected_name  # prefilled
    assert re.search(r'id="sync-now"[^>]*checked', configure.text)  # the default

    saved = await post_form(
        client,
        "/stores/new/save",
        {"_csrf": user.csrf, "draft": draft, "name": "My " + platform, "sync": "now"},
    )
    assert saved.status_code == 303
    store_id = saved.headers["location"].split("?")[0].rsplit("/", 1)[1]
    state = await wait_for_sync(client, store_id)
    assert state["text"] == "Last sync succeeded"
    assert state["fetched"] == count

    page = await client.get(f"/stores/{store_id}")
    assert re.search(r"<h1>My " + platform + "</h1>", page.text)
    assert page.text.count("<tr>") >= min(count, 20) + 1  # the products, past the header row
    assert "Last sync succeeded" in page.text


async def test_sync_later_saves_without_syncing(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, name="Quiet", sync="later")
    state = (await client.get(f"/stores/{store_id}/sync-status")).json()
    assert (state["active"], state["text"]) == (False, "Never synced")


async def test_wrong_keys_show_the_connectors_message_and_the_form_again(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    wrong = woo.wrong_credentials()
    response = await wizard_test(
        client,
        user,
        woo,
        consumer_key=wrong["consumer_key"],
        consumer_secret=wrong["consumer_secret"],
    )
    assert response.status_code == 422
    expected = await connector_message(client, woo, **wrong)
    alert = alert_text(response.text)
    assert html.unescape(expected) in html.unescape(alert)
    assert "What to do:" in alert
    assert "Test connection" in response.text  # the form again
    assert field_value(response.text, "store_url") == woo.credentials()["store_url"]
    assert wrong["consumer_secret"] not in response.text  # never echoed
    assert 'name="draft"' not in response.text


async def test_a_missing_shopify_scope_is_named(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    narrow = FakeShopifyStore(products=3, scopes={"read_locations"})
    with narrow.serve():
        response = await wizard_test(client, user, narrow)
        expected = await connector_message(client, narrow)
    assert response.status_code == 422
    assert "read_products" in expected
    assert html.unescape(expected) in html.unescape(alert_text(response.text))


async def test_missing_fields_and_bad_addresses_are_shown_by_field(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    empty = await post_form(
        client,
        "/stores/new/test",
        {"_csrf": user.csrf, "platform": "woocommerce", "store_url": ""},
    )
    assert empty.status_code == 422
    for name in ("store_url", "consumer_key", "consumer_secret"):
        assert f'id="f-{name}-error"' in empty.text
    bad_url = await post_form(
        client,
        "/stores/new/test",
        {
            "_csrf": user.csrf,
            "platform": "shopify",
            "store_url": "ftp://nowhere",
            "access_token": "shpat_" + "1" * 32,
        },
    )
    assert bad_url.status_code == 422
    assert 'id="f-store_url-error"' in bad_url.text
    assert "shpat_" + "1" * 32 not in bad_url.text
    unknown = await client.get("/stores/new/credentials", params={"platform": "magento"})
    assert unknown.status_code == 422
    assert "Choose WooCommerce or Shopify" in unknown.text


async def test_the_draft_holds_no_plain_credential(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    tested = await wizard_test(client, user, woo)
    draft = field_value(tested.text, "draft")
    configure = await post_form(
        client, "/stores/new/configure", {"_csrf": user.csrf, "draft": draft}
    )
    credentials = woo.credentials()
    for page in (tested.text, configure.text):
        for name in SECRET_FIELDS:
            if credentials.get(name):
                assert credentials[name] not in page, f"a {name} appears on the page"
                assert credentials[name][3:] not in draft


def _tamper(token: str) -> str:
    key_id, _, payload = token.partition(":")
    flipped = "A" if payload[20] != "A" else "B"
    return f"{key_id}:{payload[:20]}{flipped}{payload[21:]}"


async def test_a_tampered_expired_or_foreign_draft_is_refused(
    client: AsyncTestClient[Any],
    user: WebUser,
    woo: FakeWooCommerceStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tested = await wizard_test(client, user, woo)
    draft = field_value(tested.text, "draft")

    for token in (_tamper(draft), "garbage", ""):
        refused = await post_form(
            client, "/stores/new/save", {"_csrf": user.csrf, "draft": token, "name": "X"}
        )
        assert refused.status_code == 400
        assert "was changed or belongs to another session" in page_text(refused.text)

    real_time = drafts.time.time
    monkeypatch.setattr(drafts.time, "time", lambda: real_time() + drafts.DRAFT_TTL_SECONDS + 1)
    expired = await post_form(client, "/stores/new/configure", {"_csrf": user.csrf, "draft": draft})
    assert expired.status_code == 400
    assert "more than 30 minutes old" in page_text(expired.text)
    monkeypatch.undo()

    client.cookies.clear()
    other = await sign_up(client, business="Other")
    foreign = await post_form(
        client, "/stores/new/save", {"_csrf": other.csrf, "draft": draft, "name": "Stolen"}
    )
    assert foreign.status_code == 400
    assert "Stolen" not in (await client.get("/stores")).text


async def test_saving_a_store_already_connected_explains_why(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    await add_store(client, user, woo, sync="later")
    tested = await wizard_test(client, user, woo)
    draft = field_value(tested.text, "draft")
    again = await post_form(
        client,
        "/stores/new/save",
        {"_csrf": user.csrf, "draft": draft, "name": "Twice", "sync": "now"},
    )
    assert again.status_code == 409
    assert "already connected" in alert_text(again.text)
    assert field_value(again.text, "draft") == draft  # the form again, ready to retry


async def test_draft_round_trip_is_bound_to_its_tenant(client: AsyncTestClient[Any]) -> None:
    hub: Hub = client.app.state.hub
    tenant, other = uuid.uuid4(), uuid.uuid4()
    secret = "shpat_" + "7" * 32
    settings = {
        "platform": "shopify",
        "store_url": "https://x.myshopify.com",
        "access_token": secret,
    }
    draft = drafts.new_draft(settings, "Shop", 3)
    token = drafts.seal_draft(hub.vault, tenant, draft)
    assert drafts.open_draft(hub.vault, tenant, token) == draft
    assert secret not in token
    assert secret not in repr(draft)
    with pytest.raises(drafts.DraftRejected) as rejected:
        drafts.open_draft(hub.vault, other, token)
    assert rejected.value.reason == "invalid"


async def test_automatic_syncs_are_chosen_in_the_wizard_and_changed_on_the_edit_page(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, name="Hourly", sync="later", schedule="60")
    page = await client.get(f"/stores/{store_id}")
    assert "Automatic syncs Every hour" in page_text(page.text)
    assert (await client.get(f"/api/stores/{store_id}")).json()["sync_interval_minutes"] == 60

    form = await client.get(f"/stores/{store_id}/edit")
    assert '<option value="60" selected>Every hour</option>' in form.text
    data = {"_csrf": user.csrf, "name": "Hourly", "store_url": woo.credentials()["store_url"]}
    refused = await post_form(client, f"/stores/{store_id}/edit", {**data, "schedule": "7"})
    assert refused.status_code == 422
    assert "Pick one of the choices." in refused.text
    saved = await post_form(client, f"/stores/{store_id}/edit", {**data, "schedule": ""})
    assert saved.status_code == 303, saved.text
    assert (await client.get(f"/api/stores/{store_id}")).json()["sync_interval_minutes"] is None
    assert "Automatic syncs Off" in page_text((await client.get(f"/stores/{store_id}")).text)


async def test_a_failed_test_keeps_what_was_typed_sealed_never_in_the_page(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    good = woo.credentials()
    wrong = woo.wrong_credentials()
    failed = await wizard_test(client, user, woo, consumer_secret=wrong["consumer_secret"])
    assert failed.status_code == 422
    assert good["consumer_key"] not in failed.text  # kept sealed, not echoed
    assert wrong["consumer_secret"] not in failed.text
    retry = field_value(failed.text, "retry")
    assert good["consumer_key"][3:] not in retry
    assert "Leave it empty to keep what you typed" in failed.text
    assert field_value(failed.text, "store_url") == good["store_url"]

    # Only the fixed secret is typed again: the address and key come from the sealed retry.
    fixed = await post_form(
        client,
        "/stores/new/test",
        {
            "_csrf": user.csrf,
            "platform": "woocommerce",
            "retry": retry,
            "consumer_secret": good["consumer_secret"],
        },
    )
    assert fixed.status_code == 200, alert_text(fixed.text)
    assert "Connected to" in page_text(fixed.text)
    # A retry draft never stands in for a tested one.
    refused = await post_form(client, "/stores/new/configure", {"_csrf": user.csrf, "draft": retry})
    assert refused.status_code == 400


async def test_a_shopify_address_entered_as_woocommerce_says_so(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    response = await post_form(
        client,
        "/stores/new/test",
        {
            "_csrf": user.csrf,
            "platform": "woocommerce",
            "store_url": "https://plum-orchard.myshopify.com",
            "consumer_key": "ck_" + "1" * 40,
            "consumer_secret": "cs_" + "2" * 40,
        },
    )
    assert response.status_code == 422
    assert "This is a Shopify store's address, not a WooCommerce one" in html.unescape(
        response.text
    )


async def test_a_refused_connection_advises_checking_the_address_not_waiting(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    # Nothing listens on port 1: connecting is refused at once.
    response = await wizard_test(client, user, woo, store_url="http://127.0.0.1:1")
    assert response.status_code == 422
    alert = html.unescape(alert_text(response.text))
    assert "Check the address and port" in alert
    assert "having trouble" not in alert


async def test_the_shopify_app_client_id_and_secret_connect(
    client: AsyncTestClient[Any], user: WebUser, shop: FakeShopifyStore
) -> None:
    app = shop.client_credentials()
    response = await post_form(
        client,
        "/stores/new/test",
        {
            "_csrf": user.csrf,
            "platform": "shopify",
            "store_url": shop.credentials()["store_url"],
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert response.status_code == 200, alert_text(response.text)
    assert "Connected to" in page_text(response.text)
    assert app["client_secret"] not in response.text


async def test_a_third_platform_renders_from_its_descriptor_and_connects(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    acme = FakeAcmeStore(products=7)
    with acme_installed(), acme.serve():
        choose = await client.get("/stores/new")
        assert 'value="acme"' in choose.text
        assert "Acme Commerce" in choose.text
        form = await client.get("/stores/new/credentials", params={"platform": "acme"})
        labels = re.findall(r"<label for=\"f-[a-z_]+\">([^<]+)</label>", form.text)
        assert labels == ["Store URL", "API token"]
        assert "Settings → Integrations → New token" in html.unescape(form.text)
        tested = await post_form(
            client,
            "/stores/new/test",
            {"_csrf": user.csrf, **{k: str(v) for k, v in acme.credentials().items()}},
        )
        assert tested.status_code == 200, alert_text(tested.text)
        assert "Connected to Acme Test Shop" in page_text(tested.text)
        assert acme.token not in tested.text
