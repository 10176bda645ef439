"""Decoding a bulk JSONL result: rows checked strictly against what the API documents, kept as
the file has them for `raw`, and products rebuilt from their `__parentId` children."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

import g4hub_connectors as gc
from g4hub_connectors.shopify_graphql.jsonl import ProductAssembler, parse_block
from g4hub_connectors.shopify_graphql.mapping import map_graphql_products
from g4hub_connectors.shopify_graphql.payloads import ProductNode

PRODUCT: dict[str, Any] = {
    "id": "gid://shopify/Product/1",
    "legacyResourceId": "1",
    "title": "Mug",
    "status": "ACTIVE",
    "vendor": "G4",
    "tags": ["kitchen"],
}
VARIANT: dict[str, Any] = {
    "id": "gid://shopify/ProductVariant/2",
    "legacyResourceId": "2",
    "sku": "MUG-1",
    "price": "12.50",
    "compareAtPrice": "15.00",
    "inventoryQuantity": 4,
    "inventoryPolicy": "DENY",
    "selectedOptions": [{"name": "Title", "value": "Default Title"}],
    "inventoryItem": {"id": "gid://shopify/InventoryItem/3", "tracked": True, "sku": "MUG-1"},
    "__parentId": "gid://shopify/Product/1",
}
MEDIUM: dict[str, Any] = {
    "id": "gid://shopify/MediaImage/4",
    "mediaContentType": "IMAGE",
    "image": {"url": "https://cdn.example/mug.jpg", "altText": "A mug"},
    "__parentId": "gid://shopify/Product/1",
}


def jsonl(*rows: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(row).encode() + b"\n" for row in rows)


def assemble(*blocks: bytes) -> list[dict[str, Any]]:
    assembler = ProductAssembler()
    products = [product for block in blocks for product in assembler.feed(block)]
    last = assembler.finish()
    return products + ([last] if last is not None else [])


def test_a_product_keeps_every_key_of_its_lines_in_raw_nested_ones_too() -> None:
    (product,) = assemble(jsonl(PRODUCT, VARIANT, MEDIUM))
    # Checked rows are nodes already, as the connector passes them.
    (mapped,) = map_graphql_products([cast(ProductNode, product)], [product], currency="EUR")
    child = {key: value for key, value in VARIANT.items() if key != "__parentId"}
    medium = {key: value for key, value in MEDIUM.items() if key != "__parentId"}
    assert mapped.raw == {**PRODUCT, "variants": {"nodes": [child]}, "media": {"nodes": [medium]}}
    assert list(mapped.raw["variants"]["nodes"][0]) == list(child)  # the file's order
    (variant,) = mapped.variants
    assert (variant.id, variant.sku, variant.inventory_item_id) == ("2", "MUG-1", "3")
    assert (str(variant.regular_price), str(variant.sale_price)) == ("15.00", "12.50")
    assert (mapped.stock_quantity, mapped.images) == (4, ["https://cdn.example/mug.jpg"])


def test_children_spread_over_blocks_stay_with_their_product() -> None:
    second = {**PRODUCT, "id": "gid://shopify/Product/9", "legacyResourceId": "9"}
    its_medium = {**MEDIUM, "id": "gid://shopify/MediaImage/8", "__parentId": second["id"]}
    products = assemble(
        jsonl(PRODUCT, VARIANT), jsonl(VARIANT, MEDIUM), jsonl(second), jsonl(its_medium)
    )
    assert [p["id"] for p in products] == [PRODUCT["id"], second["id"]]
    assert [
        (len(p["variants"]["nodes"]), [m["id"] for m in p["media"]["nodes"]]) for p in products
    ] == [(2, [MEDIUM["id"]]), (0, [its_medium["id"]])]


@pytest.mark.parametrize(
    ("row", "where"),
    [
        # Values the API documents as Int, Boolean or String, sent as something else: a lax
        # check would read "4" as 4 while the kept row still held the text.
        ({**VARIANT, "inventoryQuantity": "4"}, "inventoryQuantity"),
        ({**VARIANT, "inventoryItem": {"id": "x", "tracked": "true"}}, "inventoryItem.tracked"),
        ({**VARIANT, "price": 12.5}, "price"),
        ({**VARIANT, "inventoryQuantity": 4.0}, "inventoryQuantity"),
    ],
)
def test_a_value_of_another_type_than_documented_is_refused_naming_its_line(
    row: dict[str, Any], where: str
) -> None:
    with pytest.raises(gc.UnexpectedResponseError, match=rf"line 12 is not what .*\({where}:"):
        parse_block(jsonl(PRODUCT, row, MEDIUM), 11)


def test_two_rows_on_one_line_are_refused_not_counted_as_two_lines() -> None:
    line = json.dumps(VARIANT).encode()
    with pytest.raises(gc.UnexpectedResponseError, match="line 2 is not JSON"):
        parse_block(jsonl(PRODUCT) + line + b"," + line + b"\n", 1)


def test_blank_lines_are_passed_over_and_the_rows_kept_whole() -> None:
    rows = parse_block(b"\n" + jsonl(PRODUCT) + b"\n" + jsonl(VARIANT), 1)
    assert rows == [PRODUCT, VARIANT]


def test_a_child_before_any_product_is_refused() -> None:
    with pytest.raises(gc.UnexpectedResponseError, match="not after its product"):
        assemble(jsonl(VARIANT, PRODUCT))
