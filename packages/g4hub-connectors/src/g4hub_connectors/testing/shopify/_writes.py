"""The fake Shopify store's writes (variants, inventory items, inventory levels) and its shop and
location records."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from g4hub_connectors.testing._asgi import Request, Response
from g4hub_connectors.testing.shopify._catalog import (
    IANA_TIMEZONE,
    LOCATIONS,
    PRIMARY_LOCATION,
    Catalog,
    ProductState,
    inventory_item_id,
    item_ref,
    render_variant,
    stamp,
    variant_ref,
)
from g4hub_connectors.testing.shopify._rules import PLANS

_SHOP_ID = 54_321_987_654_321_097
_CREATED = datetime(2023, 3, 14, 15, 9, 26, tzinfo=UTC)


def _errors(body: Any, status: int) -> Response:
    return Response.json({"errors": body}, status)


def _missing_scope(scope: str) -> Response:
    return _errors(f"[API] This action requires merchant approval for {scope} scope.", 403)


def _root(request: Request, key: str) -> dict[str, Any] | None:
    try:
        body = request.json()
    except ValueError:
        return None
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, dict) else None


def _price(value: Any) -> str | None:
    """Shopify's price as it stores it, or `None` when the value is not a price."""
    if isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return f"{amount:.2f}"


class WritesMixin:
    """Write endpoints for `FakeShopifyStore`.

    `ignored_writes` names fields that writes answer 200 to without applying them (`price`,
    `compare_at_price`, `sku`, `tracked`, `available`), as Shopify does where something else owns
    the value (an app or fulfillment service managing an item's inventory, a tracking flag the
    variant's `inventory_management` overrides); the answer shows the value kept, as Shopify's
    does. Empty by default.
    """

    catalog: Catalog
    ignored_writes: frozenset[str] = frozenset()

    def has_scope(self, scope: str) -> bool:
        raise NotImplementedError

    def _variant_state(self, ref: tuple[int, int] | None) -> tuple[ProductState, int] | None:
        if ref is None:
            return None
        index, position = ref
        if not self.catalog.exists(index):
            return None
        state = self.catalog.state(index)
        if position >= len(state.variants):
            return None
        return self.catalog.writable(index), position

    def variant_endpoint(self, request: Request, raw_id: str) -> Response:
        if request.method == "GET":
            if not self.has_scope("read_products"):
                return _missing_scope("read_products")
        elif request.method == "PUT":
            if not self.has_scope("write_products"):
                return _missing_scope("write_products")
        else:
            return _errors("Not Found", 404)
        found = self._variant_state(variant_ref(raw_id))
        if found is None:
            return _errors("Not Found", 404)
        state, position = found
        if request.method == "GET":
            return Response.json({"variant": render_variant(state, position)})
        changes = _root(request, "variant")
        if changes is None:
            return _errors({"variant": "Required parameter missing or invalid"}, 400)
        variant = state.variants[position]
        problems: dict[str, list[str]] = {}
        price, compare_at = variant.price, variant.compare_at_price
        if "price" in changes:
            new_price = _price(changes["price"]) if changes["price"] is not None else None
            if changes["price"] is None:
                problems["price"] = ["can't be blank"]
            elif new_price is None:
                problems["price"] = ["is not a number"]
            else:
                price = new_price
        if "compare_at_price" in changes:
            raw = changes["compare_at_price"]
            compare_at = None if raw in (None, "") else _price(raw)
            if raw not in (None, "") and compare_at is None:
                problems["compare_at_price"] = ["is not a number"]
        policy = changes.get("inventory_policy", variant.policy)
        if policy not in ("deny", "continue"):
            problems["inventory_policy"] = ["is not included in the list"]
        if problems:
            return _errors(problems, 422)
        if "price" not in self.ignored_writes:
            variant.price = price
        if "compare_at_price" not in self.ignored_writes:
            variant.compare_at_price = compare_at
        variant.policy = policy
        if "sku" in changes and "sku" not in self.ignored_writes:
            variant.sku = changes["sku"]
        self.catalog.touch(state.seed.index, position)
        return Response.json({"variant": render_variant(state, position)})

    def inventory_item_endpoint(self, request: Request, raw_id: str) -> Response:
        if request.method == "GET":
            if not self.has_scope("read_inventory"):
                return _missing_scope("read_inventory")
        elif request.method == "PUT":
            if not self.has_scope("write_inventory"):
                return _missing_scope("write_inventory")
        else:
            return _errors("Not Found", 404)
        found = self._variant_state(item_ref(raw_id))
        if found is None:
            return _errors("Not Found", 404)
        state, position = found
        if request.method == "PUT":
            changes = _root(request, "inventory_item")
            if changes is None:
                return _errors({"inventory_item": "Required parameter missing or invalid"}, 400)
            if "tracked" in changes:
                if not isinstance(changes["tracked"], bool):
                    return _errors({"tracked": ["is not included in the list"]}, 422)
                if "tracked" not in self.ignored_writes:
                    state.variants[position].tracked = changes["tracked"]
                self.catalog.touch(state.seed.index, position)
        return Response.json({"inventory_item": self._item_json(state, position)})

    @staticmethod
    def _item_json(state: ProductState, position: int) -> dict[str, Any]:
        variant = state.variants[position]
        item_id = inventory_item_id(state.seed.index, position)
        return {
            "id": item_id,
            "sku": variant.sku,
            "created_at": stamp(state.seed.created_at),
            "updated_at": stamp(variant.updated_at),
            "requires_shipping": True,
            "cost": None,
            "country_code_of_origin": None,
            "province_code_of_origin": None,
            "harmonized_system_code": None,
            "tracked": variant.tracked,
            "country_harmonized_system_codes": [],
            "admin_graphql_api_id": f"gid://shopify/InventoryItem/{item_id}",
        }

    def set_level_endpoint(self, request: Request) -> Response:
        if not self.has_scope("write_inventory"):
            return _missing_scope("write_inventory")
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _errors("Bad Request", 400)
        for key in ("location_id", "inventory_item_id", "available"):
            if key not in body:
                return _errors({key: "Required parameter missing or invalid"}, 400)
        available = body["available"]
        if not isinstance(available, int) or isinstance(available, bool):
            return _errors({"available": ["must be an integer"]}, 422)
        location = body["location_id"]
        found = self._variant_state(item_ref(body["inventory_item_id"]))
        if found is None or not isinstance(location, int) or location not in LOCATIONS:
            return _errors("Not Found", 404)
        state, position = found
        variant = state.variants[position]
        if not variant.tracked:
            return _errors(["Inventory item does not have inventory tracking enabled"], 422)
        if "available" in self.ignored_writes:
            available = variant.levels.get(location, 0)
        variant.levels[location] = available
        self.catalog.touch(state.seed.index, position)
        item_id = body["inventory_item_id"]
        return Response.json(
            {
                "inventory_level": {
                    "inventory_item_id": item_id,
                    "location_id": location,
                    "available": available,
                    "updated_at": stamp(variant.updated_at),
                    "admin_graphql_api_id": (
                        f"gid://shopify/InventoryLevel/{location}?inventory_item_id={item_id}"
                    ),
                }
            }
        )


def locations_json() -> list[dict[str, Any]]:
    created = stamp(_CREATED)
    return [
        {
            "id": location_id,
            "name": name,
            "address1": "Calle 93 #11-26" if location_id == PRIMARY_LOCATION else "Carrera 68 #13",
            "address2": None,
            "city": "Bogotá",
            "zip": "110221",
            "province": "Bogotá, D.C.",
            "country": "CO",
            "phone": None,
            "created_at": created,
            "updated_at": created,
            "country_code": "CO",
            "country_name": "Colombia",
            "province_code": "DC",
            "legacy": False,
            "active": True,
            "admin_graphql_api_id": f"gid://shopify/Location/{location_id}",
            "localized_country_name": "Colombia",
            "localized_province_name": "Bogotá, D.C.",
        }
        for location_id, name in LOCATIONS.items()
    ]


def shop_json(store: Any) -> dict[str, Any]:
    """`shop.json` for `store` (a `FakeShopifyStore`)."""
    plan_name, plan_display_name, _, _ = PLANS[store.plan]
    handle = "fake-store"
    created = stamp(_CREATED)
    return {
        "id": _SHOP_ID,
        "name": store.shop_name,
        "email": "owner@fake-store.example",
        "domain": "shop.fake-store.example",
        "province": "Bogotá, D.C.",
        "country": "CO",
        "address1": "Calle 93 #11-26",
        "zip": "110221",
        "city": "Bogotá",
        "source": None,
        "phone": "+5716000000",
        "latitude": 4.6767,
        "longitude": -74.0483,
        "primary_locale": "es",
        "address2": "",
        "created_at": created,
        "updated_at": created,
        "country_code": "CO",
        "country_name": "Colombia",
        "currency": store.currency,
        "customer_email": "hello@fake-store.example",
        "timezone": "(GMT-05:00) Bogota",
        "iana_timezone": IANA_TIMEZONE,
        "shop_owner": "Fake Owner",
        "money_format": "${{amount}}",
        "money_with_currency_format": f"${{{{amount}}}} {store.currency}",
        "weight_unit": "kg",
        "province_code": "DC",
        "taxes_included": True,
        "auto_configure_tax_inclusivity": None,
        "tax_shipping": None,
        "county_taxes": True,
        "plan_display_name": plan_display_name,
        "plan_name": plan_name,
        "has_discounts": False,
        "has_gift_cards": False,
        "myshopify_domain": f"{handle}.myshopify.com",
        "google_apps_domain": None,
        "google_apps_login_enabled": None,
        "money_in_emails_format": "${{amount}}",
        "money_with_currency_in_emails_format": f"${{{{amount}}}} {store.currency}",
        "eligible_for_payments": True,
        "requires_extra_payments_agreement": False,
        "password_enabled": False,
        "has_storefront": True,
        "finances": True,
        "primary_location_id": PRIMARY_LOCATION,
        "checkout_api_supported": True,
        "multi_location_enabled": True,
        "setup_required": False,
        "pre_launch_enabled": False,
        "enabled_presentment_currencies": [store.currency],
        "transactional_sms_disabled": False,
        "marketing_sms_consent_enabled_at_checkout": False,
    }
