"""The Shopify connector: the SDK contract over the REST Admin API."""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

import httpx

from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.connector import BaseConnector
from g4hub_connectors.errors import (
    InvalidConfigError,
    InvalidRequestError,
    NotFoundError,
    UnexpectedResponseError,
    WriteNotAppliedError,
)
from g4hub_connectors.models import Product, ProductPage, ProductUpdate, StoreInfo
from g4hub_connectors.shopify.client import MAX_PAGE_SIZE, ProductBatch, ShopifyClient
from g4hub_connectors.shopify.mapping import map_product, map_products, map_store_info
from g4hub_connectors.shopify.payloads import (
    ProductPayload,
    ShopPayload,
    VariantPayload,
    id_text,
    tracked,
)
from g4hub_connectors.shopify.prices import price_fields, unapplied_prices
from g4hub_connectors.shopify.writes import tracking_applied

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


def _raw_variant(product: Product, variant_id: str) -> VariantPayload | None:
    """The variant as the store holds it now, from a re-read product's JSON."""
    for variant in product.raw.get("variants") or ():
        if isinstance(variant, dict) and str(variant.get("id")) == variant_id:
            return cast(VariantPayload, variant)
    return None


def _listing_loop(what: str) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        f"product listing stopped: {what}",
        platform="shopify",
        user_message=(
            f"Your Shopify store's product listing went round in a circle ({what}), so it was "
            "stopped rather than read forever. Please try again; if it persists, a proxy or app "
            "in front of the store is rewriting its page links."
        ),
    )


class ShopifyConnector(BaseConnector[ShopifyConfig]):
    """A Shopify store over the REST Admin API (`config.api == "rest"`, the seed's choice).

    The GraphQL Admin API (`api="graphql"`) is not supported yet and is refused when the
    connector is built; it comes in a later release.

    - Every product carries the shop's `currency` (REST products have none of their own): the
      shop is read once per connector, by the first read that needs it.
    - `iter_products` follows Shopify's `Link` cursors, 250 products a page, one page in memory,
      each product once: it takes only the `page_info` from a `rel="next"` link and asks it of
      this store at this API version, and ends in `UnexpectedResponseError` when a link leads
      back to a page already read.
    - `update_product` checks the store's answers against what was asked and raises
      `WriteNotAppliedError` naming any field the store answered 200 to but did not apply.
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
        """The shop, fetched once per connector (currency, primary location)."""
        async with self._shop_lock:
            if self._shop is None:
                self._shop = await self.client.get_shop()
            return self._shop

    async def _currency(self) -> str | None:
        # Read after the products, so a listing that fails fails on its own request.
        return (await self._known_shop()).currency

    async def count_products(self) -> int:
        return await self.client.count_products()

    # -- reading ----------------------------------------------------------------------------------

    async def _products(self, batch: ProductBatch) -> list[Product]:
        return map_products(batch.products, batch.raw, currency=await self._currency())

    async def get_products(self, cursor: str | None = None, limit: int = 100) -> ProductPage:
        page_info = decode_cursor(cursor) if cursor is not None else None
        batch = await self.client.list_products(
            page_info=page_info, limit=max(1, min(limit, MAX_PAGE_SIZE))
        )
        following = batch.next_page_info
        if following is not None and following == page_info:
            raise _listing_loop("the next page is the page just read")
        next_cursor = encode_cursor(following) if following is not None else None
        return ProductPage(products=await self._products(batch), next_cursor=next_cursor)

    async def iter_products(
        self, *, updated_since: datetime | None = None, include_variants: bool = False
    ) -> AsyncIterator[Product]:
        """Every product once, or those changed strictly after `updated_since`.

        REST products always carry their variants, so `include_variants` costs nothing and
        changes nothing. A product the store lists twice is yielded once; a link back to a page
        already read, or a page of nothing but products already yielded, ends the listing in
        `UnexpectedResponseError` (the ids seen so far cost a few MB at 100,000 products).
        """
        params: dict[str, Any] = {}
        since = _utc(updated_since) if updated_since is not None else None
        if since is not None:
            # Shopify compares whole seconds and includes the bound; the exact, exclusive
            # comparison happens below.
            params["updated_at_min"] = since.astimezone(UTC).replace(microsecond=0).isoformat()
        seen: set[str] = set()
        cursors: set[str] = set()
        batch = await self.client.list_products(params=params)
        while True:
            page_info = batch.next_page_info
            products = await self._products(batch)
            # One page in memory: this one goes before the next is fetched.
            del batch
            fresh = [product for product in products if product.id not in seen]
            if products and not fresh:
                raise _listing_loop(f"a page of {len(products)} products all listed already")
            if not products and page_info is not None:
                raise _listing_loop("an empty page that links to another")
            del products
            for product in fresh:
                seen.add(product.id)
                if since is None or product.updated_at is None or product.updated_at > since:
                    yield product
            del fresh
            if page_info is None:
                return
            if page_info in cursors:
                raise _listing_loop(f"a link back to page {len(cursors)} of this listing")
            cursors.add(page_info)
            batch = await self.client.list_products(page_info=page_info)

    async def get_product(self, product_id: str, *, include_variants: bool = True) -> Product:
        payload, raw = await self.client.get_product(_numeric_id(product_id))
        return map_product(payload, raw, currency=await self._currency())

    # -- writing ----------------------------------------------------------------------------------

    async def update_product(self, product_id: str, update: ProductUpdate) -> Product:
        """Apply `update` to one variant (`update.variant_id`, else the first) and re-read.

        Prices go to the variant: a sale sets `price` to the sale price and `compare_at_price` to
        the regular price; ending a sale (`sale_price=None`) moves the regular price back into
        `price`. Stock is set at `update.location_id`, else the shop's primary location; setting a
        quantity on a variant whose stock is not tracked turns tracking on first (a quantity with
        `manage_stock=False` is refused before anything is sent).
        The requests go one after another; if one fails, the earlier ones stay applied. Each answer
        and the final re-read are compared with what was asked: a field the store did not apply
        raises `WriteNotAppliedError` (`ignored_fields`, and `applied`: the product as it is now).
        """
        numeric_id = _numeric_id(product_id)
        changes = update.changes()
        if not changes:
            return await self.get_product(numeric_id)
        manage: bool | None = changes.get("manage_stock")
        quantity: int | None = changes.get("stock_quantity")
        if manage is False and quantity is not None:
            raise InvalidRequestError(
                "stock_quantity given with manage_stock=False",
                platform=self.platform,
                user_message=(
                    "A stock quantity needs stock tracking: set manage_stock to true with it, "
                    "or leave the quantity out."
                ),
            )
        payload, _ = await self.client.get_product(numeric_id)
        variant = self._target_variant(payload, update.variant_id)
        variant_id = str(variant["id"])
        ignored: dict[str, str] = {}

        prices = price_fields(variant, changes)
        if prices:
            answer = await self.client.update_variant(variant_id, prices)
            ignored.update(self._price_problems(prices, answer, changes))
        # Shopify refuses a quantity for an untracked item: tracking comes on with it.
        track = manage if manage is not None else (True if quantity is not None else None)
        if track is not None and (manage is not None or not tracked(variant)):
            item = await self.client.set_tracked(self._item_id(variant), track)
            if item.tracked is not None and item.tracked is not track:
                ignored["manage_stock"] = f"asked {track}, the inventory item says {item.tracked}"
        if quantity is not None:
            location_id = await self._location(update.location_id)
            level = await self.client.set_available(self._item_id(variant), location_id, quantity)
            if level.available != quantity:
                ignored["stock_quantity"] = (
                    f"asked {quantity} at location {location_id}, the level is {level.available}"
                )

        product = await self.get_product(numeric_id)
        now = _raw_variant(product, variant_id)
        if now is not None:
            ignored.update(self._price_problems(prices, now, changes) if prices else {})
            if (
                track is not None
                and "manage_stock" not in ignored
                and not tracking_applied(track, now)
            ):
                ignored["manage_stock"] = f"asked {track}, the variant says otherwise"
        if ignored:
            fields = ", ".join(f"{name} ({why})" for name, why in ignored.items())
            raise WriteNotAppliedError(
                f"variant {variant_id} of product {numeric_id}: the store answered success but "
                f"did not apply {fields}",
                platform=self.platform,
                ignored_fields=list(ignored),
                applied=product,
            )
        return product

    @staticmethod
    def _price_problems(
        sent: dict[str, Any], variant: VariantPayload, changes: dict[str, Any]
    ) -> dict[str, str]:
        """The caller's price fields (`price`, `sale_price`) behind variant fields not held."""
        missing = unapplied_prices(sent, variant)
        if not missing:
            return {}
        held = ", ".join(f"{name} is {value}" for name, value in missing.items())
        asked = [name for name in ("price", "sale_price") if name in changes] or ["price"]
        return dict.fromkeys(asked, f"sent {sent}, the variant's {held}")

    def _item_id(self, variant: VariantPayload) -> str:
        item_id = id_text(variant.get("inventory_item_id"))
        if item_id is None:
            raise InvalidRequestError(
                f"variant {variant['id']} has no inventory item", platform=self.platform
            )
        return item_id

    async def _location(self, location_id: str | None) -> str:
        location = (location_id or "").removeprefix(_LOCATION_GID) or id_text(
            (await self._known_shop()).primary_location_id
        )
        if location is None or not location.isdigit():
            raise InvalidRequestError(
                "no location to set stock at: give location_id (the shop has no primary location)",
                platform=self.platform,
            )
        return location

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
