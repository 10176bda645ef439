"""A variable product's variations, read as WooCommerce really serves them: a variation's change
moves its own `date_modified`, not its parent's, so an incremental listing asks
`GET /variations?modified_after=` (WooCommerce 10.3+) for the parents it would miss; a webhook
carries a variable product's variations as ids only (the hub keeps its own data of them) and a
variation's own change as the variation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_connectors.webhooks import webhook_platform
from g4hub_connectors.woocommerce.connector import NO_VARIATIONS_ROUTE_WARNING
from tests.connectors.woocommerce.conftest import connect, wc_requests

HOOKS = webhook_platform("woocommerce")
SECRET = "webhook-secret-1"


def _variable(store: FakeWooCommerceStore) -> tuple[str, list[str]]:
    product_id = sorted(store.variable_product_ids(), key=int)[0]
    variations = store.webhooks.product_json(product_id)["variations"]
    return product_id, [str(v) for v in variations]


def _sold(store: FakeWooCommerceStore, quantity: int) -> tuple[str, str, datetime]:
    """A variation's stock set to `quantity` a minute later than now, as an order leaves it:
    returns the parent, the variation and a moment between the catalog and the change."""
    product_id, variations = _variable(store)
    before = datetime.now(UTC) + timedelta(seconds=30)
    store.clock_offset += 60
    store.webhooks.edit_variation(
        product_id, variations[0], manage_stock=True, stock_quantity=quantity
    )
    store.webhooks.outbox.clear()
    return product_id, variations[0], before


async def test_a_variation_change_leaves_the_parent_date_as_it_was() -> None:
    store = FakeWooCommerceStore(products=40, wc_version="10.4.1")
    product_id, variation_id = _variable(store)[0], _variable(store)[1][0]
    parent_before = store.webhooks.product_json(product_id)["date_modified_gmt"]
    _sold(store, 77)
    async with connect(store) as connector:
        product = await connector.get_product(product_id)
    assert store.webhooks.product_json(product_id)["date_modified_gmt"] == parent_before
    variant = next(v for v in product.variants if v.id == variation_id)
    assert variant.stock_quantity == 77
    assert product.updated_at == datetime.fromisoformat(parent_before + "+00:00")


async def test_an_incremental_listing_brings_the_parent_of_a_changed_variation() -> None:
    store = FakeWooCommerceStore(products=40, wc_version="10.4.1")
    product_id, variation_id, before = _sold(store, 77)
    async with connect(store) as connector:
        bare = [p async for p in connector.iter_products(updated_since=before)]
        store.requests.clear()
        found = [
            p async for p in connector.iter_products(updated_since=before, include_variants=True)
        ]
    # The parent listing alone misses it: the parent's date did not move.
    assert bare == []
    assert [p.id for p in found] == [product_id]
    variant = next(v for v in found[0].variants if v.id == variation_id)
    assert variant.stock_quantity == 77
    assert len(found[0].variants) == len(_variable(store)[1])
    # One listing page, one page of changed variations, the parent and its variations.
    assert len(wc_requests(store, "/variations")) == 2
    assert len(wc_requests(store)) == 4
    assert connector.warnings() == []


async def test_a_full_listing_carries_every_variation_in_few_requests() -> None:
    """WooCommerce 10.3+ lists every variation a hundred at a time; older stores are asked
    per variable product: the products come out the same."""
    new = FakeWooCommerceStore(products=250, wc_version="10.4.1")
    old = FakeWooCommerceStore(products=250, wc_version="9.8.5")
    async with connect(new) as connector:
        found = {p.id: p async for p in connector.iter_products(include_variants=True)}
    async with connect(old) as connector:
        asked = {p.id: p async for p in connector.iter_products(include_variants=True)}
    variable = new.variable_product_ids()
    variations = sum(len(new.webhooks.product_json(p)["variations"]) for p in variable)
    assert len(variable) > 3
    for product_id in variable:
        expected = new.webhooks.product_json(product_id)["variations"]
        assert [v.id for v in found[product_id].variants] == [str(v) for v in expected]
    assert all(found[p].variants == [] for p in found if p not in variable)
    assert found == asked
    # The variations' pages, against a request per variable product (after the store-wide
    # route answered `rest_no_route` once).
    assert len(wc_requests(new, "/variations")) == -(-variations // 100)
    assert len(wc_requests(old, "/products/")) == len(variable)
    assert len(wc_requests(old, "/v3/variations")) == 1


async def test_a_store_before_10_3_warns_that_variation_changes_wait() -> None:
    store = FakeWooCommerceStore(products=40, wc_version="9.8.5")
    _, _, before = _sold(store, 77)
    async with connect(store) as connector:
        found = [
            p async for p in connector.iter_products(updated_since=before, include_variants=True)
        ]
        assert found == []
        assert connector.warnings() == [NO_VARIATIONS_ROUTE_WARNING]


async def test_webhooks_say_what_a_variable_product_delivery_lacks() -> None:
    assert HOOKS is not None
    store = FakeWooCommerceStore(products=40, wc_version="10.4.1")
    async with connect(store) as connector:
        await HOOKS.subscribe(connector, "https://hub.example/webhooks/woocommerce/t", SECRET)
    store.webhooks.outbox.clear()
    product_id, variations = _variable(store)
    [parent] = store.webhooks.emit("product.updated", product_id)
    store.clock_offset += 60
    store.webhooks.edit_variation(product_id, variations[1], manage_stock=True, stock_quantity=5)
    [_, own] = store.webhooks.outbox

    event = HOOKS.parse(parent.headers, parent.body, currency="EUR")
    assert event.action == "upsert"
    assert event.product is not None
    assert event.product.variants == []
    assert event.variant_ids == tuple(variations)

    change = HOOKS.parse(own.headers, own.body, currency="EUR")
    assert (change.action, change.product_id, change.product) == (
        "upsert_variant",
        product_id,
        None,
    )
    assert change.variant is not None
    assert (change.variant.id, change.variant.stock_quantity) == (variations[1], 5)
    assert change.occurred_at is not None
    assert event.occurred_at is not None
    assert change.occurred_at > event.occurred_at
    assert change.key != event.key

    simple = next(p for p in store.product_ids() if p not in store.variable_product_ids())
    [plain] = store.webhooks.emit("product.updated", simple)
    assert HOOKS.parse(plain.headers, plain.body).variant_ids is None


async def test_a_product_the_variations_listing_does_not_match_is_asked_alone() -> None:
    """A variation created between the store-wide listing and its product's page: that
    product's variations are read on their own, so none is missing."""
    store = FakeWooCommerceStore(products=40, wc_version="10.4.1")
    product_id, variations = _variable(store)
    listing = store.catalog.variations_modified_after

    def without_the_newest(after: Any) -> list[tuple[int, int]]:
        return [pair for pair in listing(after) if pair[1] != int(variations[-1])]

    store.catalog.variations_modified_after = without_the_newest  # type: ignore[method-assign]
    async with connect(store) as connector:
        found = {p.id: p async for p in connector.iter_products(include_variants=True)}
    assert [v.id for v in found[product_id].variants] == variations
    assert len(wc_requests(store, f"/products/{product_id}/variations")) == 1
    assert len(wc_requests(store, "/products/")) == 1
