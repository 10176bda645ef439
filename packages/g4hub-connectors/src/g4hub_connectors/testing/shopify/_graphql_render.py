"""The fake store's catalog as GraphQL Admin API objects: products, variants (up to 2,048 per
product), media, inventory items and levels, rendered from the same state the REST routes use, so
both APIs show one catalog with the same numeric ids.

Products with many variants are declared with `variant_counts` (index → count) or `variant_plan`
(index → count or None). Their variants are generated on demand, and kept only once written.
Variants past the REST id slots take ids from a range of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from g4hub_connectors.testing.shopify._catalog import (
    IMAGE_BASE,
    LOCATIONS,
    PRIMARY_LOCATION,
    Catalog,
    ProductState,
    VariantState,
    inventory_item_id,
    item_ref,
    product_id,
    variant_id,
    variant_ref,
)
from g4hub_connectors.testing.shopify._graphql_exec import Conn

__all__ = ["MAX_VARIANTS", "GraphQLCatalog", "gid"]

MAX_VARIANTS = 2_048
_REST_SLOTS = 8
_BIG_VARIANT_BASE = 46_100_000_000_000_001
_BIG_ITEM_BASE = 48_100_000_000_000_001
_BIG_STRIDE = 4_096


def gid(kind: str, number: int | str) -> str:
    return f"gid://shopify/{kind}/{number}"


def gid_int(value: Any, kind: str) -> int | None:
    if not isinstance(value, str):
        return None
    prefix = f"gid://shopify/{kind}/"
    tail = value.removeprefix(prefix).partition("?")[0]
    return int(tail) if value.startswith(prefix) and tail.isdigit() else None


def iso(moment: datetime) -> str:
    """GraphQL's DateTime: UTC with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _variant_number(index: int, position: int) -> int:
    if position < _REST_SLOTS:
        return variant_id(index, position)
    return _BIG_VARIANT_BASE + (index * _BIG_STRIDE + position) * 2


def _item_number(index: int, position: int) -> int:
    if position < _REST_SLOTS:
        return inventory_item_id(index, position)
    return _BIG_ITEM_BASE + (index * _BIG_STRIDE + position) * 2


def _big_ref(value: int, base: int) -> tuple[int, int] | None:
    offset = value - base
    if offset < 0 or offset % 2:
        return None
    return divmod(offset // 2, _BIG_STRIDE)


def _many(state: ProductState, count: int) -> list[VariantState]:
    index = state.seed.index
    return [
        VariantState(
            title=f"Option {k + 1}",
            sku=f"SKU-{index}-{k}",
            price=f"{10 + k % 90}.{k % 100:02d}",
            compare_at_price=None,
            tracked=k % 5 != 0,
            policy="deny",
            levels={PRIMARY_LOCATION: k % 50},
            updated_at=state.updated_at,
        )
        for k in range(count)
    ]


class GraphQLCatalog:
    """GraphQL views of a `Catalog` (see the module docstring for many-variant products)."""

    def __init__(
        self,
        catalog: Catalog,
        shop_url: Callable[[], str] = lambda: "https://fake-store.myshopify.com",
    ) -> None:
        self.catalog = catalog
        self.shop_url = shop_url
        self.variant_counts: dict[int, int] = {}
        self.variant_plan: Callable[[int], int | None] | None = None

    def extra_variants(self, index: int) -> int | None:
        count = self.variant_counts.get(index)
        if count is None and self.variant_plan is not None:
            count = self.variant_plan(index)
        if count is not None and not 1 <= count <= MAX_VARIANTS:
            raise ValueError(f"a product has 1 to {MAX_VARIANTS} variants, not {count}")
        return count

    def state(self, index: int) -> ProductState:
        written = self.catalog.states.get(index)
        if written is not None:
            return written
        state = self.catalog.state(index)
        count = self.extra_variants(index)
        if count is not None:
            state.variants = _many(state, count)
            state.option_name = "Option"
        return state

    def writable(self, index: int) -> ProductState:
        if index not in self.catalog.states:
            self.catalog.states[index] = self.state(index)
        return self.catalog.states[index]

    def variant_count(self, index: int) -> int:
        written = self.catalog.states.get(index)
        if written is not None:
            return len(written.variants)
        count = self.extra_variants(index)
        return count if count is not None else len(self.catalog.state(index).variants)

    # -- references -------------------------------------------------------------------------------

    def variant_ref(self, value: Any) -> tuple[int, int] | None:
        number = gid_int(value, "ProductVariant")
        if number is None:
            return None
        ref = _big_ref(number, _BIG_VARIANT_BASE) if number >= _BIG_VARIANT_BASE else None
        ref = ref or variant_ref(number)
        return self._live(ref)

    def item_ref(self, value: Any) -> tuple[int, int] | None:
        number = gid_int(value, "InventoryItem")
        if number is None:
            return None
        ref = _big_ref(number, _BIG_ITEM_BASE) if number >= _BIG_ITEM_BASE else None
        ref = ref or item_ref(number)
        return self._live(ref)

    def _live(self, ref: tuple[int, int] | None) -> tuple[int, int] | None:
        if ref is None or not self.catalog.exists(ref[0]):
            return None
        if ref[1] >= self.variant_count(ref[0]):
            return None
        return ref

    # -- rendering --------------------------------------------------------------------------------

    def product(self, index: int) -> dict[str, Any]:
        state = self.state(index)
        seed = state.seed
        pid = product_id(index)
        shop_url = self.shop_url()
        variants = [self.variant(state, position) for position in range(len(state.variants))]
        media = [
            {
                "__typename": "MediaImage",
                "id": gid("MediaImage", IMAGE_BASE + (index * _REST_SLOTS + position) * 2),
                "mediaContentType": "IMAGE",
                "alt": None,
                "image": {
                    "__typename": "Image",
                    # The same address as the REST side's image `src`.
                    "url": (
                        f"{shop_url}/cdn/shop/files/product-{index}-{position + 1}.jpg?v=1704067200"
                    ),
                    "altText": None,
                    "width": 2048,
                    "height": 2048,
                },
            }
            for position in range(seed.image_count)
        ]
        return {
            "__typename": "Product",
            "__index": index,
            "id": gid("Product", pid),
            "legacyResourceId": str(pid),
            "title": seed.name,
            "handle": seed.slug,
            "descriptionHtml": seed.description,
            "status": state.status.upper(),
            "vendor": "G4 Hub Test Goods",
            "productType": "" if index % 5 == 0 else "Merchandise",
            "tags": ["generated", "g4hub"] if index % 3 else [],
            "createdAt": iso(seed.created_at),
            "updatedAt": iso(state.updated_at),
            "options": [
                {
                    "__typename": "ProductOption",
                    "id": gid("ProductOption", 10_400_000_000_000_001 + index * 2),
                    "name": state.option_name,
                    "position": 1,
                    "values": [v.title for v in state.variants],
                }
            ],
            "media": Conn(media),
            "variantsCount": {"__typename": "Count", "count": len(variants), "precision": "EXACT"},
            "variants": Conn(variants),
        }

    def variant(self, state: ProductState, position: int) -> dict[str, Any]:
        index = state.seed.index
        variant = state.variants[position]
        number = _variant_number(index, position)
        return {
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", number),
            "legacyResourceId": str(number),
            "title": variant.title,
            "sku": variant.sku,
            "price": variant.price,
            "compareAtPrice": variant.compare_at_price,
            "position": position + 1,
            "inventoryQuantity": variant.quantity,
            "inventoryPolicy": variant.policy.upper(),
            "createdAt": iso(state.seed.created_at),
            "updatedAt": iso(variant.updated_at),
            "selectedOptions": [
                {"__typename": "SelectedOption", "name": state.option_name, "value": variant.title}
            ],
            "product": {"__typename": "Product", "id": gid("Product", product_id(index))},
            "inventoryItem": self.inventory_item(state, position),
        }

    def inventory_item(self, state: ProductState, position: int) -> dict[str, Any]:
        variant = state.variants[position]
        number = _item_number(state.seed.index, position)

        def level(args: dict[str, Any]) -> dict[str, Any] | None:
            location = gid_int(args.get("locationId"), "Location")
            if location is None or location not in LOCATIONS or location not in variant.levels:
                return None
            quantity = variant.levels[location]

            def quantities(qargs: dict[str, Any]) -> list[dict[str, Any]]:
                names = qargs.get("names") or ["available"]
                return [{"name": n, "quantity": quantity} for n in names]

            return {
                "__typename": "InventoryLevel",
                "id": f"gid://shopify/InventoryLevel/{location}?inventory_item_id={number}",
                "quantities": quantities,
                "location": {"__typename": "Location", "id": gid("Location", location)},
            }

        return {
            "__typename": "InventoryItem",
            "id": gid("InventoryItem", number),
            "legacyResourceId": str(number),
            "tracked": variant.tracked,
            "sku": variant.sku,
            "inventoryLevel": level,
        }

    def touch(self, index: int, position: int | None = None) -> None:
        state = self.writable(index)
        now = datetime.now(UTC).replace(microsecond=0)
        state.updated_at = now
        if position is not None:
            state.variants[position].updated_at = now

    @staticmethod
    def price(value: Any) -> str | None:
        """Shopify's Money input as it stores it, or `None` when it is not an amount."""
        if isinstance(value, bool) or value is None:
            return None
        try:
            amount = Decimal(str(value).strip())
        except ArithmeticError:
            return None
        if not amount.is_finite() or amount < 0:
            return None
        return f"{amount:.2f}"
