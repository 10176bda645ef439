"""The Shopify connector: the SDK contract over the REST Admin API."""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.connector import BaseConnector
from g4hub_connectors.errors import InvalidConfigError, InvalidRequestError, NotFoundError
from g4hub_connectors.models import Product, ProductPage, ProductUpdate, StoreInfo
from g4hub_connectors.shopify.client import MAX_PAGE_SIZE, ProductBatch, ShopifyClient
from g4hub_connectors.shopify.mapping import (
    map_product,
    map_products,
    map_store_info,
    split_price,
)
from g4hub_connectors.shopify.payloads import (
    ProductPayload,
    ShopPayload,
    VariantPayload,
    id_text,
    money,
)

__all__ = ["ShopifyConnector", "decode_cursor", "encode_cursor"]

_GID_PREFIX = "gid://shopify/Product/"
_LOCATION_GID = "gid://shopify/Location/"


def encode_cursor(page_info: str) -> str:
    """The opaque cursor for a `page_info` (callers must not rely on what is inside)."""
    return base64.urlsafe_b64encode(page_info.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text or not text.isprintable():
        raise InvalidRequestError(
            "not a cursor from a Shopify connector's get_products",
            platform="shopify",
            user_message="The listing position is invalid; please start the listing again.",
        )
    return text


def _numeric_id(product_id: str) -> str:
    """`"123"` or `"gid://shopify/Product/123"` → `"123"`; anything else cannot exist."""
    text = str(product_id).strip().removeprefix(_GID_PREFIX)
    if not text.isdigit() or not text.isascii():
        raise NotFoundError(f"{product_id!r:.40} is not a Shopify product id", platform="shopify")
    return text


def _utc(moment: datetime) -> datetime:
    # A naive datetime is taken as UTC: the SDK never guesses a local zone.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}" if amount == amount.quantize(Decimal("0.01")) else str(amount)


class ShopifyConnector(BaseConnector[ShopifyConfig]):
    """A Shopify store over the REST Admin API (`config.api == "rest"`, the seed's choice).

    The GraphQL Admin API (`api="graphql"`) is not supported yet and is refused when the
    connector is built; it comes in a later release.

    - Products carry the shop's `currency` once the shop is known to this connector, that is
      after `get_store_info()` or `test_connection()`; listing does not fetch it behind your back.
    - `iter_products` follows Shopify's `Link` cursors, 250 products a page, one page in memory.
    - Requests are paced from `X-Shopify-Shop-Api-Call-Limit` so listings stay under the bucket;
      `clock` and `sleep` drive that pacing and the token cache, and `leak_rate` fixes the bucket's
      leak rate (requests/s) instead of deriving it from the bucket size (40 → 2/s).
    - `warnings()` names an API version that fell forward to another one.
    """

    platform: ClassVar[str] = "shopify"
    config_class: ClassVar[type[ShopifyConfig]] = ShopifyConfig

    def __init__(
        self,
        config: ShopifyConfig,
        *,
        http_client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        leak_rate: float | None = None,
    ) -> None:
        if config.api != "rest":
            raise InvalidConfigError.from_problems(
                "shopify",
                ["api: the GraphQL Admin API is not supported yet; use 'rest'"],
            )
        super().__init__(config, http_client=http_client)
        self.client = ShopifyClient(
            config, http_client, clock=clock, sleep=sleep, leak_rate=leak_rate
        )
        self._shop: ShopPayload | None = None
        self._shop_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self.client.aclose()

    def warnings(self) -> list[str]:
        return self.client.warnings()

    # -- store ------------------------------------------------------------------------------------

    async def get_store_info(self) -> StoreInfo:
        shop = await self.client.get_shop()
        self._shop = shop
        return map_store_info(
            shop,
            url=self.config.store_url,
            api_version=self.client.served_version or self.config.api_version,
        )

    async def _known_shop(self) -> ShopPayload:
        """The shop, fetched once per connector (for the primary location)."""
        async with self._shop_lock:
            if self._shop is None:
                self._shop = await self.client.get_shop()
            return self._shop

    def _currency(self) -> str | None:
        return self._shop.currency if self._shop is not None else None

    async def count_products(self) -> int:
        return await self.client.count_products()

    # -- reading ----------------------------------------------------------------------------------

    def _products(self, batch: ProductBatch) -> list[Product]:
        return map_products(batch.products, batch.raw, currency=self._currency())

    async def get_products(self, cursor: str | None = None, limit: int = 100) -> ProductPage:
        params: dict[str, Any] = {"limit": max(1, min(limit, MAX_PAGE_SIZE))}
        if cursor is not None:
            # Shopify refuses any filter beside page_info: the cursor carries them.
            params["page_info"] = decode_cursor(cursor)
        batch = await self.client.list_products(params=params)
        next_cursor = encode_cursor(batch.next_page_info) if batch.next_page_info else None
        return ProductPage(products=self._products(batch), next_cursor=next_cursor)

    async def iter_products(
        self, *, updated_since: datetime | None = None, include_variants: bool = False
    ) -> AsyncIterator[Product]:
        """Every product, or those changed strictly after `updated_since`.

        REST products always carry their variants, so `include_variants` costs nothing and
        changes nothing.
        """
        params: dict[str, Any] = {"limit": MAX_PAGE_SIZE}
        since = _utc(updated_since) if updated_since is not None else None
        if since is not None:
            # Shopify compares whole seconds and includes the bound; the exact, exclusive
            # comparison happens below.
            params["updated_at_min"] = since.astimezone(UTC).replace(microsecond=0).isoformat()
        batch = await self.client.list_products(params=params)
        while True:
            next_url = batch.next_url
            products = self._products(batch)
            # One page in memory: this one goes before the next is fetched.
            del batch
            for product in products:
                if since is None or product.updated_at is None or product.updated_at > since:
                    yield product
            del products
            if next_url is None:
                return
            batch = await self.client.list_products(next_url=next_url)

    async def get_product(self, product_id: str, *, include_variants: bool = True) -> Product:
        payload, raw = await self.client.get_product(_numeric_id(product_id))
        return map_product(payload, raw, currency=self._currency())

    # -- writing ----------------------------------------------------------------------------------

    async def update_product(self, product_id: str, update: ProductUpdate) -> Product:
        """Apply `update` to one variant (`update.variant_id`, else the first) and re-read.

        Prices go to the variant: a sale sets `price` to the sale price and `compare_at_price` to
        the regular price; ending a sale (`sale_price=None`) moves the regular price back into
        `price`. Stock is set at `update.location_id`, else the shop's primary location, and needs
        tracking on (pass `manage_stock=True` in the same update to switch it on first).
        The requests go one after another; if one fails, the earlier ones stay applied.
        """
        numeric_id = _numeric_id(product_id)
        changes = update.changes()
        if not changes:
            return await self.get_product(numeric_id)
        payload, _ = await self.client.get_product(numeric_id)
        variant = self._target_variant(payload, update.variant_id)

        prices = self._price_fields(variant, changes)
        if prices:
            await self.client.update_variant(str(variant["id"]), prices)
        if changes.get("manage_stock") is not None or changes.get("stock_quantity") is not None:
            item_id = id_text(variant.get("inventory_item_id"))
            if item_id is None:
                raise InvalidRequestError(
                    f"variant {variant['id']} has no inventory item", platform=self.platform
                )
            if changes.get("manage_stock") is not None:
                await self.client.set_tracked(item_id, bool(changes["manage_stock"]))
            if changes.get("stock_quantity") is not None:
                location_id = (update.location_id or "").removeprefix(_LOCATION_GID) or id_text(
                    (await self._known_shop()).primary_location_id
                )
                if location_id is None or not location_id.isdigit():
                    raise InvalidRequestError(
                        "no location to set stock at: give location_id (the shop has no "
                        "primary location)",
                        platform=self.platform,
                    )
                await self.client.set_available(item_id, location_id, changes["stock_quantity"])
        return await self.get_product(numeric_id)

    @staticmethod
    def _target_variant(payload: ProductPayload, variant_id: str | None) -> VariantPayload:
        variants = payload.get("variants") or []
        if not variants:
            raise InvalidRequestError(
                f"product {payload['id']} has no variant to change", platform="shopify"
            )
        if variant_id is None:
            return variants[0]
        wanted = str(variant_id).removeprefix("gid://shopify/ProductVariant/")
        for variant in variants:
            if str(variant["id"]) == wanted:
                return variant
        raise NotFoundError(
            f"product {payload['id']} has no variant {variant_id!r:.40}", platform="shopify"
        )

    @staticmethod
    def _price_fields(variant: VariantPayload, changes: dict[str, Any]) -> dict[str, Any]:
        """The variant fields that express the price change, Shopify's way."""
        regular, sale = split_price(
            money(variant.get("price")), money(variant.get("compare_at_price"))
        )
        # An explicit price=None cannot be sent: Shopify variants always have a price.
        new_regular: Decimal | None = changes.get("price")
        if "sale_price" in changes:
            new_sale: Decimal | None = changes["sale_price"]
            if new_sale is not None:
                base = new_regular if new_regular is not None else regular
                return {
                    "price": _money(new_sale),
                    "compare_at_price": _money(base) if base is not None else None,
                }
            # Ending the sale: the regular price becomes the price again.
            back = new_regular if new_regular is not None else regular
            fields: dict[str, Any] = {"compare_at_price": None}
            if back is not None:
                fields["price"] = _money(back)
            return fields
        if new_regular is None:
            return {}
        if sale is not None and new_regular > sale:
            # On sale: the regular price is the compare-at price; the sale price stays.
            return {"compare_at_price": _money(new_regular)}
        fields = {"price": _money(new_regular)}
        if money(variant.get("compare_at_price")) is not None:
            # A regular price at or below the sale price ends the sale; a stale compare-at price
            # (at or below the old price) would otherwise turn into a sale under the new one.
            fields["compare_at_price"] = None
        return fields
