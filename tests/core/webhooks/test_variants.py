"""Completing partial deliveries from the held row (`g4hub_core.webhooks.variants`): what is kept,
replaced, dropped and ignored, without a database."""

from __future__ import annotations

import uuid
from decimal import Decimal

from g4hub_connectors import Product, ProductVariant
from g4hub_connectors.webhooks import WebhookEvent
from g4hub_core.webhooks.variants import complete, held_product, keep_variants, with_variant


def _variant(variant_id: str, stock: int) -> ProductVariant:
    return ProductVariant(id=variant_id, sku=f"SKU-{variant_id}", stock_quantity=stock)


def _product(*variants: ProductVariant, name: str = "Shirt") -> Product:
    return Product(id="10", name=name, platform="woocommerce", variants=list(variants))


def test_a_delivery_without_variant_data_keeps_the_held_ones_it_still_names() -> None:
    held = _product(_variant("1", 5), _variant("2", 6), _variant("3", 7))
    delivered = _product(name="Shirt, renamed")
    # Variation 2 was deleted (no webhook for that), 4 is new (its own delivery brings it).
    kept = keep_variants(delivered, ("3", "1", "4"), held)
    assert kept.name == "Shirt, renamed"
    assert [(v.id, v.stock_quantity) for v in kept.variants] == [("3", 7), ("1", 5)]
    assert keep_variants(delivered, ("1",), None) == delivered


def test_a_variant_replaces_its_namesake_in_place_or_joins() -> None:
    product = _product(_variant("1", 5), _variant("2", 6))
    changed = with_variant(product, _variant("1", 0))
    assert [(v.id, v.stock_quantity) for v in changed.variants] == [("1", 0), ("2", 6)]
    added = with_variant(product, _variant("3", 1))
    assert [v.id for v in added.variants] == ["1", "2", "3"]
    assert [v.stock_quantity for v in product.variants] == [5, 6]  # the original is untouched


def test_a_held_row_reads_back_as_its_product() -> None:
    product = _product(_variant("1", 5)).model_copy(update={"price": Decimal("9.50")})
    assert held_product(product.model_dump(mode="json")) == product
    assert held_product({}) is None
    assert held_product({"id": "10"}) is None  # not a product any more: nothing to complete


def test_complete_joins_a_batch_and_ignores_what_it_cannot_place() -> None:
    held = {"10": _product(_variant("1", 5), _variant("2", 6))}
    renamed, sold, orphan, gone = (uuid.UUID(int=n) for n in range(1, 5))
    upserts = [
        (
            renamed,
            WebhookEvent(
                key="a", topic="product.updated", action="upsert", product_id="10",
                product=_product(name="Renamed"), variant_ids=("1", "2"),
            ),
        )
    ]  # fmt: skip
    variants = [
        (sold, _variant_event("10", _variant("2", 1))),
        (orphan, _variant_event("77", _variant("9", 1))),
        (gone, _variant_event("55", _variant("8", 1))),
    ]
    writes, ignored = complete(upserts, variants, held | {"55": _product()}, gone={"55"})
    [write] = writes
    assert write.deliveries == [renamed, sold]
    assert write.product.name == "Renamed"
    assert [(v.id, v.stock_quantity) for v in write.product.variants] == [("1", 5), ("2", 1)]
    assert ignored == [orphan, gone]


def _variant_event(product_id: str, variant: ProductVariant) -> WebhookEvent:
    return WebhookEvent(
        key=f"{product_id}:{variant.id}", topic="product.updated", action="upsert_variant",
        product_id=product_id, variant=variant,
    )  # fmt: skip
