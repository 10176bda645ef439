"""The fake store's GraphQL mutations on products and stock: `productVariantsBulkUpdate` and
`inventorySetQuantities` (compare-and-set on `changeFromQuantity`, idempotency keys)."""

from __future__ import annotations

import itertools
import json
from typing import Any

from g4hub_connectors.testing.shopify._catalog import LOCATIONS, product_index
from g4hub_connectors.testing.shopify._graphql_render import GraphQLCatalog, gid, gid_int

__all__ = ["GraphQLWrites"]

_NAMES = ("available", "on_hand")


def _user_error(field: list[str] | None, message: str, code: str | None) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}


class GraphQLWrites:
    """Mutations over `views`. `idempotency` maps each key to its request and answer, so a
    repeated request is answered without being applied twice."""

    def __init__(self, views: GraphQLCatalog) -> None:
        self.views = views
        self.idempotency: dict[str, tuple[str, dict[str, Any]]] = {}
        self.applied_sets = 0
        self._groups = itertools.count(77_000_000_001, 2)

    def variants_bulk_update(self, args: dict[str, Any]) -> dict[str, Any]:
        product = gid_int(args.get("productId"), "Product")
        views = self.views
        index = None
        if product is not None:
            index = product_index(product)
        if index is None or not views.catalog.exists(index):
            return {
                "product": None,
                "productVariants": None,
                "userErrors": [
                    _user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
                ],
            }
        inputs = args.get("variants") or []
        errors: list[dict[str, Any]] = []
        planned: list[tuple[int, dict[str, Any]]] = []
        for n, item in enumerate(inputs):
            where = ["variants", str(n)]
            ref = views.variant_ref(item.get("id")) if isinstance(item, dict) else None
            if ref is None or ref[0] != index:
                errors.append(
                    _user_error(
                        [*where, "id"],
                        "Product variant does not exist",
                        "PRODUCT_VARIANT_DOES_NOT_EXIST",
                    )
                )
                continue
            change: dict[str, Any] = {}
            if "price" in item:
                price = views.price(item["price"])
                if price is None:
                    errors.append(_user_error([*where, "price"], "Price is invalid", "INVALID"))
                change["price"] = price
            if "compareAtPrice" in item:
                raw = item["compareAtPrice"]
                compare = None if raw in (None, "") else views.price(raw)
                if raw not in (None, "") and compare is None:
                    errors.append(
                        _user_error(
                            [*where, "compareAtPrice"], "Compare at price is invalid", "INVALID"
                        )
                    )
                change["compare_at_price"] = compare
            tracked = (item.get("inventoryItem") or {}).get("tracked")
            if tracked is not None:
                change["tracked"] = bool(tracked)
            planned.append((ref[1], change))
        if errors:
            # allowPartialUpdates is false by default: one bad variant and nothing is written.
            return {"product": None, "productVariants": None, "userErrors": errors}
        state = views.writable(index)
        for position, change in planned:
            variant = state.variants[position]
            if change.get("price") is not None:
                variant.price = change["price"]
            if "compare_at_price" in change:
                variant.compare_at_price = change["compare_at_price"]
            if "tracked" in change:
                variant.tracked = change["tracked"]
            views.touch(index, position)
        return {
            "product": {
                "__typename": "Product",
                "id": gid("Product", args["productId"].rpartition("/")[2]),
            },
            "productVariants": [views.variant(state, position) for position, _ in planned],
            "userErrors": [],
        }

    def inventory_set(self, args: dict[str, Any], key: str | None) -> dict[str, Any]:
        payload = args.get("input") or {}
        signature = json.dumps(payload, sort_keys=True, default=str)
        if key is not None and key in self.idempotency:
            seen, answer = self.idempotency[key]
            if seen != signature:
                return {
                    "inventoryAdjustmentGroup": None,
                    "userErrors": [
                        _user_error(
                            None,
                            "The same idempotency key cannot be used with different "
                            "operation parameters.",
                            "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                        )
                    ],
                }
            return answer
        answer = self._set(payload)
        if key is not None:
            self.idempotency[key] = (signature, answer)
        return answer

    def _set(self, payload: dict[str, Any]) -> dict[str, Any]:
        views = self.views
        name = payload.get("name")
        errors: list[dict[str, Any]] = []
        if name not in _NAMES:
            errors.append(
                _user_error(
                    ["input", "name"],
                    "The quantity name must be either 'available' or 'on_hand'.",
                    "INVALID_NAME",
                )
            )
        if not payload.get("reason"):
            errors.append(
                _user_error(["input", "reason"], "The reason is invalid.", "INVALID_REASON")
            )
        planned: list[tuple[tuple[int, int], int, int, int | None]] = []
        for n, quantity in enumerate(payload.get("quantities") or []):
            where = ["input", "quantities", str(n)]
            ref = views.item_ref(quantity.get("inventoryItemId"))
            location = gid_int(quantity.get("locationId"), "Location")
            if ref is None:
                errors.append(
                    _user_error(
                        [*where, "inventoryItemId"],
                        "The specified inventory item could not be found.",
                        "INVALID_INVENTORY_ITEM",
                    )
                )
                continue
            if location is None or location not in LOCATIONS:
                errors.append(
                    _user_error(
                        [*where, "locationId"],
                        "The specified location could not be found.",
                        "INVALID_LOCATION",
                    )
                )
                continue
            value = quantity.get("quantity")
            if not isinstance(value, int) or isinstance(value, bool):
                errors.append(
                    _user_error(
                        [*where, "quantity"], "Quantity is invalid", "INVALID_QUANTITY_TOO_LOW"
                    )
                )
                continue
            if "changeFromQuantity" not in quantity:
                # From 2026-04 the compare-and-set value is required (null opts out explicitly).
                errors.append(
                    _user_error(
                        [*where, "changeFromQuantity"],
                        "changeFromQuantity is required.",
                        "CHANGE_FROM_QUANTITY_REQUIRED",
                    )
                )
                continue
            current = views.state(ref[0]).variants[ref[1]].levels.get(location)
            expected = quantity["changeFromQuantity"]
            if expected is not None and expected != current:
                errors.append(
                    _user_error(
                        [*where, "changeFromQuantity"],
                        "The changeFromQuantity value does not match persisted value.",
                        "CHANGE_FROM_QUANTITY_STALE",
                    )
                )
                continue
            planned.append((ref, location, value, current))
        if errors:
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}
        changes = []
        for (index, position), location, value, current in planned:
            state = views.writable(index)
            state.variants[position].levels[location] = value
            views.touch(index, position)
            changes.append(
                {"name": name, "delta": value - (current or 0), "quantityAfterChange": value}
            )
        self.applied_sets += 1
        return {
            "inventoryAdjustmentGroup": {
                "__typename": "InventoryAdjustmentGroup",
                "id": gid("InventoryAdjustmentGroup", next(self._groups)),
                "reason": payload.get("reason"),
                "changes": changes,
            },
            "userErrors": [],
        }
