"""The GraphQL connector's writes: one variant's price, compare-at price and tracking through
`productVariantsBulkUpdate`, stock through `inventorySetQuantities` (compare-and-set on
`changeFromQuantity`, with an idempotency key), and the check of what the store applied."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from g4hub_connectors.errors import InvalidRequestError, NotFoundError, WriteNotAppliedError
from g4hub_connectors.models import Product
from g4hub_connectors.shopify.prices import price_fields
from g4hub_connectors.shopify_graphql.client import GraphQLClient
from g4hub_connectors.shopify_graphql.mapping import rest_variant
from g4hub_connectors.shopify_graphql.payloads import (
    InventoryItemPayload,
    UserError,
    VariantNode,
    gid_number,
)

__all__ = [
    "check_applied",
    "inventory_item_gid",
    "set_quantity",
    "stock_at",
    "target_variant",
    "update_variant",
    "variant_input",
]


def inventory_item_gid(value: str) -> str:
    return value if value.startswith("gid://") else f"gid://shopify/InventoryItem/{value}"


def target_variant(node: dict[str, Any], variant_id: str | None) -> VariantNode:
    """The variant `variant_id` names (numeric or GID), else the product's first."""
    variants: list[VariantNode] = (node.get("variants") or {}).get("nodes") or []
    if not variants:
        raise InvalidRequestError(
            f"product {node['id']} has no variant to change", platform="shopify"
        )
    if variant_id is None:
        return variants[0]
    wanted = str(variant_id).removeprefix("gid://shopify/ProductVariant/")
    for variant in variants:
        if gid_number(variant["id"]) == wanted:
            return variant
    raise NotFoundError(
        f"product {node['id']} has no variant {variant_id!r:.40}", platform="shopify"
    )


def variant_input(variant: VariantNode, changes: dict[str, Any]) -> dict[str, Any] | None:
    """The `ProductVariantsBulkInput` for `changes`, by the REST connector's price rules (a sale:
    `price` is the sale price, `compareAtPrice` the regular one); `None` when nothing changes."""
    prices = price_fields(rest_variant(variant), changes)
    fields: dict[str, Any] = {"id": variant["id"]}
    if "price" in prices:
        fields["price"] = prices["price"]
    if "compare_at_price" in prices:
        fields["compareAtPrice"] = prices["compare_at_price"]
    if changes.get("manage_stock") is not None:
        fields["inventoryItem"] = {"tracked": bool(changes["manage_stock"])}
    return fields if len(fields) > 1 else None


async def update_variant(client: GraphQLClient, product_gid: str, fields: dict[str, Any]) -> None:
    # Absolute values: sending them twice ends in the same state, so a retry is safe.
    data = await client.execute(
        "variants_update", {"productId": product_gid, "variants": [fields]}, estimate=10
    )
    result = data.get("productVariantsBulkUpdate") or {}
    errors = [UserError.model_validate(e) for e in result.get("userErrors") or []]
    if errors:
        raise client.user_error("productVariantsBulkUpdate", errors)


async def stock_at(client: GraphQLClient, item_gid: str, location_gid: str) -> int | None:
    """The available quantity of an item at a location (`None`: not stocked there)."""
    data = await client.execute(
        "inventory_level", {"itemId": item_gid, "locationId": location_gid}, estimate=3
    )
    item = data.get("inventoryItem")
    if not isinstance(item, dict):
        raise NotFoundError(f"no inventory item {item_gid}", platform="shopify")
    level = InventoryItemPayload.model_validate(item).inventoryLevel
    return level.available() if level is not None else None


async def set_quantity(
    client: GraphQLClient,
    item_gid: str,
    location_gid: str,
    quantity: int,
    *,
    change_from: int | None,
    key: str,
) -> None:
    # The idempotency key makes Shopify drop a repeat, so the retry policy may send it again.
    data = await client.execute(
        "inventory_set",
        {
            "input": {
                "name": "available",
                "reason": "correction",
                "quantities": [
                    {
                        "inventoryItemId": item_gid,
                        "locationId": location_gid,
                        "quantity": quantity,
                        "changeFromQuantity": change_from,
                    }
                ],
            },
            "key": key,
        },
        estimate=10,
    )
    result = data.get("inventorySetQuantities") or {}
    errors = [UserError.model_validate(e) for e in result.get("userErrors") or []]
    if errors:
        raise client.user_error("inventorySetQuantities", errors)


def check_applied(
    product: Product, variant_gid: str, changes: dict[str, Any], stock_now: int | None
) -> None:
    """Raise `WriteNotAppliedError` naming every change the re-read product does not show
    (`stock_now`: the quantity re-read at the location written, when stock was written)."""
    variant = next((v for v in product.variants if v.id == gid_number(variant_gid)), None)
    if variant is None:
        raise WriteNotAppliedError(
            f"variant {variant_gid} is gone after the write",
            ignored_fields=sorted(changes),
            applied=product,
            platform="shopify",
        )
    ignored: list[str] = []
    price: Decimal | None = changes.get("price")
    if price is not None and variant.regular_price != price:
        ignored.append("price")
    if "sale_price" in changes and variant.sale_price != changes["sale_price"]:
        ignored.append("sale_price")
    tracking = changes.get("manage_stock")
    if tracking is not None and variant.manage_stock != bool(tracking):
        ignored.append("manage_stock")
    if changes.get("stock_quantity") is not None and stock_now != changes["stock_quantity"]:
        ignored.append("stock_quantity")
    if ignored:
        raise WriteNotAppliedError(
            f"product {product.id}: the store kept its values for {', '.join(ignored)}",
            ignored_fields=ignored,
            applied=product,
            platform="shopify",
        )
