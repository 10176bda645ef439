"""The Shopify connector over the GraphQL Admin API: the SDK contract, cost-paced listings,
bulk exports and compare-and-set stock writes."""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

import httpx

from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.connector import BaseConnector
from g4hub_connectors.errors import (
    InvalidRequestError,
    NotFoundError,
    UnexpectedResponseError,
)
from g4hub_connectors.models import Product, ProductPage, ProductUpdate, StoreInfo
from g4hub_connectors.shopify.auth import TokenGrant
from g4hub_connectors.shopify_graphql.client import GraphQLClient
from g4hub_connectors.shopify_graphql.mapping import map_graphql_products, map_shop
from g4hub_connectors.shopify_graphql.partition import (
    bulk_query_slots,
    export_parts,
    plan_parts,
)
from g4hub_connectors.shopify_graphql.payloads import (
    ProductNode,
    ShopInfoPayload,
    product_adapter,
    product_page_adapter,
)
from g4hub_connectors.shopify_graphql.writes import (
    check_applied,
    inventory_item_gid,
    set_quantity,
    stock_at,
    target_variant,
    update_variant,
    variant_input,
)

__all__ = ["ShopifyGraphQLConnector"]

VARIANTS_FIRST = 10
"""Variants listed with each product; products with more get theirs in follow-up pages."""
MEDIA_FIRST = 6
"""Media listed with each product (further media are not read: the hub shows a few pictures)."""
VARIANT_PAGE = 250
COST_BUDGET = 800
"""The requested cost a listing query aims to stay under (Shopify's cap is 1,000)."""
PRODUCT_COST = 7 + 2 * MEDIA_FIRST + 3 * VARIANTS_FIRST
"""A product's requested cost in `ProductFields`: itself, options, variantsCount (1 each), the
media connection (2 + 2 per medium: the node and its image) and the variants connection (2 + 3
per variant: the node, its selected options and its inventory item)."""
MAX_PAGE_SIZE = min(250, (COST_BUDGET - 2) // PRODUCT_COST)
DEFAULT_BULK_THRESHOLD = 10_000
DEFAULT_BULK_PART_SIZE = 5_000
"""Products per bulk operation at the least: a catalog of fewer than twice this many exports
through one operation, a larger one through up to five side by side (API 2026-01 and later)."""

_PRODUCT_GID = "gid://shopify/Product/"
_CURSOR_PREFIX = "gql:"


def _encode_cursor(end_cursor: str) -> str:
    return base64.urlsafe_b64encode((_CURSOR_PREFIX + end_cursor).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_CURSOR_PREFIX) or len(text) == len(_CURSOR_PREFIX):
        raise InvalidRequestError(
            "not a cursor from a Shopify GraphQL connector's get_products",
            platform="shopify",
            user_message="The listing position is invalid; please start the listing again.",
        )
    return text[len(_CURSOR_PREFIX) :]


def _product_gid(product_id: str) -> str:
    text = str(product_id).strip().removeprefix(_PRODUCT_GID)
    if not text.isdigit() or not text.isascii():
        raise NotFoundError(f"{product_id!r:.40} is not a Shopify product id", platform="shopify")
    return _PRODUCT_GID + text


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _search(since: datetime | None) -> str | None:
    if since is None:
        return None
    # Shopify compares whole seconds; the exact, exclusive comparison happens after mapping.
    bound = since.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"updated_at:>='{bound}'"


class ShopifyGraphQLConnector(BaseConnector[ShopifyConfig]):
    """A Shopify store over the GraphQL Admin API (`{"platform": "shopify", "api": "graphql"}`).

    - Product ids are the numeric ids (from `gid://shopify/Product/N`), as over REST, so a store
      can switch API with its rows keeping their identity. Every variant is read (up to 2,048),
      with its inventory item id; `include_variants` changes nothing.
    - Queries are paced by the cost bucket (`extensions.cost.throttleStatus`); `THROTTLED`
      answers are retried after the time the bucket needs.
    - `iter_products(bulk=True)` reads the catalog through bulk operations; with `bulk=None`
      (the default) a full listing of a catalog of `bulk_threshold` products or more does
      (`None` turns that off). Incremental listings (`updated_since`) page. A catalog of at
      least twice `bulk_part_size` products is split into id ranges exported side by side, as
      many as the shop allows at the store's API version (five from 2026-01, one before);
      products then come range by range, interleaved, not in id order.
    - `update_product` writes prices with `productVariantsBulkUpdate` and stock with
      `inventorySetQuantities` (compare-and-set on the quantity it read, with an idempotency key),
      then re-reads and raises `WriteNotAppliedError` for anything the store did not apply.
    - `on_token_refresh(grant)` receives each refreshed expiring token; `grant.refresh_token` is
      the new refresh token to store (`refresh_token` holds it too).
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
        on_token_refresh: Callable[[TokenGrant], None] | None = None,
        bulk_threshold: int | None = DEFAULT_BULK_THRESHOLD,
        bulk_poll_interval: float = 0.5,
        bulk_part_size: int = DEFAULT_BULK_PART_SIZE,
    ) -> None:
        super().__init__(config, http_client=http_client)
        self.client = GraphQLClient(
            config, http_client, clock=clock, sleep=sleep, on_token_refresh=on_token_refresh
        )
        self.bulk_threshold = bulk_threshold
        self.bulk_poll_interval = bulk_poll_interval
        self.bulk_part_size = max(1, bulk_part_size)
        self._shop: ShopInfoPayload | None = None
        self._shop_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self.client.aclose()

    def warnings(self) -> list[str]:
        return self.client.warnings()

    @property
    def refresh_token(self) -> str | None:
        """The newest refresh token of an expiring offline token (`None` for other tokens)."""
        return getattr(self.client.auth, "refresh_token", None)

    # -- store ------------------------------------------------------------------------------------

    async def _fetch_shop(self) -> ShopInfoPayload:
        data = await self.client.execute("shop", estimate=4)
        return ShopInfoPayload.model_validate(data)

    async def _known_shop(self) -> ShopInfoPayload:
        """The shop, read once per connector: its currency goes on every product."""
        async with self._shop_lock:
            if self._shop is None:
                self._shop = await self._fetch_shop()
            return self._shop

    async def get_store_info(self) -> StoreInfo:
        self._shop = await self._fetch_shop()
        return map_shop(
            self._shop,
            url=self.config.store_url,
            api_version=self.client.served_version or self.config.api_version,
        )

    async def count_products(self, *, search: str | None = None) -> int:
        data = await self.client.execute("products_count", {"query": search}, estimate=1)
        count = (data.get("productsCount") or {}).get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise UnexpectedResponseError(
                f"productsCount without a count ({count!r:.20})", platform=self.platform
            )
        return count

    # -- reading ----------------------------------------------------------------------------------

    async def _complete_variants(self, node: dict[str, Any]) -> None:
        """Read the rest of a product's variants into its node (products may have 2,048)."""
        connection = node.get("variants") or {}
        page_info = connection.get("pageInfo") or {}
        while page_info.get("hasNextPage"):
            data = await self.client.execute(
                "product_variants",
                {"id": node["id"], "first": VARIANT_PAGE, "after": page_info.get("endCursor")},
                estimate=3 + 3 * VARIANT_PAGE,
            )
            product = data.get("product")
            if not isinstance(product, dict):
                raise NotFoundError(f"product {node['id']} vanished while listing variants")
            more = product.get("variants") or {}
            connection.setdefault("nodes", []).extend(more.get("nodes") or [])
            page_info = more.get("pageInfo") or {}
            if not more.get("nodes") and page_info.get("hasNextPage"):
                raise UnexpectedResponseError(
                    "an empty variant page that claims more", platform=self.platform
                )
        connection["pageInfo"] = {"hasNextPage": False, "endCursor": page_info.get("endCursor")}

    async def _page(
        self, first: int, after: str | None, search: str | None
    ) -> tuple[list[Product], str | None]:
        data = await self.client.execute(
            "products",
            {
                "first": first,
                "after": after,
                "query": search,
                "variantsFirst": VARIANTS_FIRST,
                "mediaFirst": MEDIA_FIRST,
            },
            estimate=2 + first * PRODUCT_COST,
        )
        raw = data.get("products")
        if not isinstance(raw, dict) or not isinstance(raw.get("nodes"), list):
            raise UnexpectedResponseError("products without nodes", platform=self.platform)
        for node in raw["nodes"]:
            if isinstance(node, dict):
                await self._complete_variants(node)
        try:
            page = product_page_adapter.validate_python(raw)
        except ValueError as exc:
            raise UnexpectedResponseError(
                f"a products page that is not what the API documents ({type(exc).__name__})",
                platform=self.platform,
            ) from None
        shop = await self._known_shop()
        products = map_graphql_products(
            page["nodes"], raw["nodes"], currency=shop.shop.currencyCode
        )
        info = page["pageInfo"]
        next_cursor = info.get("endCursor") if info.get("hasNextPage") else None
        return products, next_cursor

    async def get_products(self, cursor: str | None = None, limit: int = 100) -> ProductPage:
        after = _decode_cursor(cursor) if cursor is not None else None
        products, end = await self._page(max(1, min(limit, MAX_PAGE_SIZE)), after, None)
        return ProductPage(
            products=products, next_cursor=_encode_cursor(end) if end is not None else None
        )

    async def iter_products(
        self,
        *,
        updated_since: datetime | None = None,
        include_variants: bool = False,
        bulk: bool | None = None,
    ) -> AsyncIterator[Product]:
        """Every product (changed strictly after `updated_since`, when given), each once.

        `bulk=True` exports through a bulk operation; `None` chooses it for a full listing of at
        least `bulk_threshold` products. A bulk export that fails, or comes back empty while the
        store counts products, raises: it never reads as an empty catalog.
        """
        since = _utc(updated_since) if updated_since is not None else None
        search = _search(since)
        if bulk is None:
            bulk = (
                since is None
                and self.bulk_threshold is not None
                and await self.count_products() >= self.bulk_threshold
            )
        source = self._bulk_products(search) if bulk else self._paged_products(search)
        seen: set[str] = set()
        async for product in source:
            if product.id in seen:
                raise UnexpectedResponseError(
                    f"product {product.id} listed twice", platform=self.platform
                )
            seen.add(product.id)
            if since is None or product.updated_at is None or product.updated_at > since:
                yield product

    async def _paged_products(self, search: str | None) -> AsyncIterator[Product]:
        after: str | None = None
        while True:
            products, after = await self._page(MAX_PAGE_SIZE, after, search)
            for product in products:
                yield product
            if after is None:
                return

    async def _bulk_products(self, search: str | None) -> AsyncIterator[Product]:
        # The catalog's size sets the number of ranges and lets the polls follow each
        # operation's progress (a few points).
        expected = await self.count_products(search=search)
        slots = bulk_query_slots(self.client.served_version or self.config.api_version)
        parts = await plan_parts(
            self.client,
            search,
            products=expected,
            parts=min(slots, expected // self.bulk_part_size),
        )
        shop = await self._known_shop()
        export = export_parts(
            self.client, parts, slots=slots, poll_interval=self.bulk_poll_interval
        )
        async for batch in export:
            # Every row was validated as it was parsed: the rebuilt products are nodes already.
            nodes = cast(list[ProductNode], batch)
            for product in map_graphql_products(nodes, batch, currency=shop.shop.currencyCode):
                yield product

    async def _product_node(self, gid: str) -> dict[str, Any]:
        data = await self.client.execute(
            "product",
            {"id": gid, "variantsFirst": VARIANTS_FIRST, "mediaFirst": MEDIA_FIRST},
            estimate=1 + PRODUCT_COST,
        )
        node = data.get("product")
        if not isinstance(node, dict):
            raise NotFoundError(f"no product {gid}", platform=self.platform, status_code=404)
        await self._complete_variants(node)
        return node

    async def get_product(self, product_id: str, *, include_variants: bool = True) -> Product:
        node = await self._product_node(_product_gid(product_id))
        validated = product_adapter.validate_python(node)
        shop = await self._known_shop()
        return map_graphql_products([validated], [node], currency=shop.shop.currencyCode)[0]

    # -- writing ----------------------------------------------------------------------------------

    async def update_product(self, product_id: str, update: ProductUpdate) -> Product:
        """Apply `update` to one variant (`update.variant_id`, else the first), then re-read.

        Prices and tracking go in one `productVariantsBulkUpdate` (a sale: `price` is the sale
        price and `compareAtPrice` the regular one, as over REST). Stock is set at
        `update.location_id`, else the shop's primary location, from the quantity read just
        before (or from `update.expected_stock_quantity`, when given): if the store holds
        another quantity, `WriteConflictError` and nothing is written.
        The price write is applied before the stock write; if the stock write fails, the price
        stays changed. Whatever the store did not apply raises `WriteNotAppliedError`.
        """
        gid = _product_gid(product_id)
        changes = update.changes()
        node = await self._product_node(gid)
        if not changes:
            return await self.get_product(gid)
        variant = target_variant(node, update.variant_id)
        fields = variant_input(variant, changes)
        if fields is not None:
            await update_variant(self.client, gid, fields)
        item = variant.get("inventoryItem")
        stock_now = None
        if changes.get("stock_quantity") is not None:
            if not item:
                raise InvalidRequestError(
                    f"variant {variant['id']} has no inventory item", platform=self.platform
                )
            location = await self._location_gid(update.location_id)
            before = await stock_at(self.client, item["id"], location)
            expected = update.expected_stock_quantity
            await self.set_stock(
                item["id"],
                int(changes["stock_quantity"]),
                change_from=before if expected is None else expected,
                location_id=location,
            )
            stock_now = await stock_at(self.client, item["id"], location)
        product = await self.get_product(gid)
        check_applied(product, variant["id"], changes, stock_now)
        return product

    async def _location_gid(self, location_id: str | None) -> str:
        if location_id:
            number = str(location_id).removeprefix("gid://shopify/Location/")
            if number.isdigit():
                return f"gid://shopify/Location/{number}"
            raise InvalidRequestError(
                f"{location_id!r:.40} is not a location id", platform="shopify"
            )
        shop = await self._known_shop()
        if shop.location is None:
            raise InvalidRequestError(
                "no location to set stock at: give location_id (the shop has no primary location)",
                platform=self.platform,
            )
        return shop.location.id

    async def set_stock(
        self,
        inventory_item_id: str,
        quantity: int,
        *,
        change_from: int | None,
        location_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        """Set the available quantity of an inventory item (numeric id or GID) at a location
        (default: the primary one), if it still is `change_from` (`None`: the item has no
        quantity there yet).

        A stale `change_from` raises `WriteConflictError` and changes nothing. The idempotency
        key (a new one unless given) lets Shopify drop a repeat of the same request, so a
        timed-out attempt may safely be sent again.
        """
        await set_quantity(
            self.client,
            inventory_item_gid(inventory_item_id),
            await self._location_gid(location_id),
            quantity,
            change_from=change_from,
            key=idempotency_key or str(uuid.uuid4()),
        )
