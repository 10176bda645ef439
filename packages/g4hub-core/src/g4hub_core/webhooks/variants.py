"""Completing deliveries that do not carry a whole product, from the row the hub holds, so
applying them loses nothing:

- a product whose delivery names its variants without their data (`WebhookEvent.variant_ids`,
  WooCommerce's variable products): the held variants of those ids stand;
- one variant's own change (`upsert_variant`, WooCommerce's variations): it replaces the variant
  of that id in the product (the newest delivery of the product in the batch, else the held
  row), or joins it.

Nothing here asks which platform a store is on: the connector's parsing says what a delivery
lacks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
from pydantic import ValidationError

from g4hub_connectors import Product, ProductVariant
from g4hub_connectors.webhooks import WebhookEvent

__all__ = ["ProductWrite", "complete", "held_product", "keep_variants", "wanted", "with_variant"]


@attrs.define
class ProductWrite:
    """A product to write, whole, and the deliveries it settles."""

    deliveries: list[uuid.UUID]
    product: Product
    occurred_at: datetime | None
    """The product delivery's time; `None` when only variants changed (the row keeps its
    time: a variant's change is no change of the product's own fields)."""


def wanted(
    upserts: Iterable[tuple[uuid.UUID, WebhookEvent]], variants: Iterable[WebhookEvent]
) -> set[str]:
    """The products whose held rows `complete` needs."""
    return {
        event.product_id
        for _, event in upserts
        if event.variant_ids is not None and event.product_id
    } | {event.product_id for event in variants if event.product_id}


def complete(
    upserts: Iterable[tuple[uuid.UUID, WebhookEvent]],
    variants: Iterable[tuple[uuid.UUID, WebhookEvent]],
    held: Mapping[str, Product],
    gone: set[str],
) -> tuple[list[ProductWrite], list[uuid.UUID]]:
    """The products to write for a store's `upserts` (the newest delivery of each product)
    and `variants` (the newest of each variant), completed from `held` (products the hub
    holds, by id); and the deliveries that change nothing the hub holds (a variant of a
    product it does not hold, or deleted in `gone` by the same batch)."""
    writes: dict[str, ProductWrite] = {}
    ignored: list[uuid.UUID] = []
    for delivery_id, event in upserts:
        if event.product is None or not event.product_id:
            ignored.append(delivery_id)
            continue
        product = event.product
        if event.variant_ids is not None:
            product = keep_variants(product, event.variant_ids, held.get(event.product_id))
        writes[event.product_id] = ProductWrite([delivery_id], product, event.occurred_at)
    for delivery_id, event in variants:
        product_id, variant = event.product_id, event.variant
        write = writes.get(product_id or "")
        if write is None:
            base = held.get(product_id or "") if product_id not in gone else None
            if base is None or variant is None or product_id is None:
                ignored.append(delivery_id)
                continue
            write = writes[product_id] = ProductWrite([], base, None)
        if variant is not None:
            write.product = with_variant(write.product, variant)
        write.deliveries.append(delivery_id)
    return list(writes.values()), ignored


def held_product(data: Mapping[str, Any] | None) -> Product | None:
    """The product a row holds (`store_products.data`); `None` for a row that holds none or
    one that no longer reads as a product."""
    if not data:
        return None
    try:
        return Product.model_validate(data)
    except ValidationError:
        return None


def keep_variants(product: Product, variant_ids: Sequence[str], held: Product | None) -> Product:
    """`product`, delivered without its variants' data, with the held variants of
    `variant_ids` in that order; a variant the hub does not hold yet comes with its own
    delivery (or the next sync)."""
    if held is None:
        return product
    known = {variant.id: variant for variant in held.variants}
    kept = [known[variant_id] for variant_id in variant_ids if variant_id in known]
    return product.model_copy(update={"variants": kept})


def with_variant(product: Product, variant: ProductVariant) -> Product:
    """`product` with `variant` in place of the variant of its id (appended when new)."""
    variants = list(product.variants)
    for position, current in enumerate(variants):
        if current.id == variant.id:
            variants[position] = variant
            break
    else:
        variants.append(variant)
    return product.model_copy(update={"variants": variants})
