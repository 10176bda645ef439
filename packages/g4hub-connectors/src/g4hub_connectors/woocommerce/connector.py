"""The WooCommerce connector: the SDK contract over the WooCommerce REST API (wc/v3)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import httpx

from g4hub_connectors.config import WooCommerceConfig
from g4hub_connectors.connector import BaseConnector
from g4hub_connectors.errors import NotFoundError, PermissionDeniedError
from g4hub_connectors.models import Product, ProductPage, ProductUpdate, StoreInfo
from g4hub_connectors.woocommerce.client import ListPage, WooCommerceClient
from g4hub_connectors.woocommerce.mapping import map_product, map_products
from g4hub_connectors.woocommerce.pagination import (
    MAX_PER_PAGE,
    decode_cursor,
    encode_cursor,
    gather_or_cancel,
    in_order,
)
from g4hub_connectors.woocommerce.payloads import WCProduct, WCSystemStatus, WCVariation

__all__ = ["WooCommerceConnector"]

logger = logging.getLogger("g4hub_connectors.woocommerce")

SYSTEM_STATUS_REFUSED_WARNING = (
    "Your API key's user may not read WooCommerce's system status (it needs the "
    "manage_woocommerce capability, which administrators and shop managers have), so the "
    "WooCommerce version and the store currency are unknown."
)


@dataclass(frozen=True)
class _Batch:
    """One listing page, mapped: its size as received and the page count it announced."""

    size: int
    total_pages: int | None
    products: list[Product]


def _numeric_id(value: str, what: str = "product") -> int:
    # WooCommerce ids are positive integers; anything else cannot name a product, and sending it
    # would only earn a `rest_no_route` 404.
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise NotFoundError(
            f"WooCommerce {what} ids are numbers, got {value!r}", platform="woocommerce"
        )
    return int(text)


def _money(value: Decimal | None) -> str:
    # WooCommerce takes prices as strings; "" clears one (an empty sale price ends a sale).
    return "" if value is None else format(value, "f")


def update_body(update: ProductUpdate) -> dict[str, Any]:
    """The JSON WooCommerce expects for the fields the caller set, and only those."""
    changes = update.changes()
    body: dict[str, Any] = {}
    if "price" in changes:
        body["regular_price"] = _money(changes["price"])
    if "sale_price" in changes:
        body["sale_price"] = _money(changes["sale_price"])
    if "manage_stock" in changes and changes["manage_stock"] is not None:
        body["manage_stock"] = changes["manage_stock"]
    # WooCommerce has no "unknown" quantity (null is refused); stop tracking with manage_stock.
    if changes.get("stock_quantity") is not None:
        body["stock_quantity"] = changes["stock_quantity"]
    return body


class WooCommerceConnector(BaseConnector[WooCommerceConfig]):
    """A WooCommerce store through its REST API.

    Listing fetches page 1, then the other pages concurrently (at most `config.max_concurrency`
    requests in flight, variations included), yielding in page order. Warnings about fallbacks
    the store forced (query-string auth, `?rest_route=`, no access to the system status) are in
    `warnings()`.
    """

    platform = "woocommerce"
    config_class = WooCommerceConfig

    def __init__(
        self, config: WooCommerceConfig, *, http_client: httpx.AsyncClient | None = None
    ) -> None:
        super().__init__(config, http_client=http_client)
        self._client = WooCommerceClient(config, http_client)
        self._currency: str | None = None

    async def aclose(self) -> None:
        await self._client.aclose()

    def warnings(self) -> list[str]:
        return list(self._client.warnings)

    # -- store ----------------------------------------------------------------------------------

    async def get_store_info(self) -> StoreInfo:
        """Name from the WordPress index, version and currency from the system status. A key
        that may not read the system status gives a warning and `None`s, not an error."""
        index = await self._client.discover()
        try:
            status = await self._client.system_status()
        except PermissionDeniedError:
            self._client.warn(SYSTEM_STATUS_REFUSED_WARNING)
            status = WCSystemStatus()
        self._currency = status.settings.currency or None
        environment = status.environment
        extra = {
            "home_url": environment.home_url,
            "wp_version": environment.wp_version,
            "authentication": self._client.auth_mode,
            "plain_permalinks": self._client.plain_permalinks,
        }
        return StoreInfo(
            platform=self.platform,
            name=(index.name or None) if index is not None else None,
            url=self.config.store_url,
            domain=urlsplit(self.config.store_url).hostname,
            currency=self._currency,
            platform_version=environment.version or None,
            api_version=self.config.api_version,
            timezone=(index.timezone_string or None) if index is not None else None,
            extra={key: value for key, value in extra.items() if value is not None},
        )

    async def count_products(self) -> int:
        """`X-WP-Total` of a one-product page: every status but trash, like the listing."""
        return await self._client.count_products()

    # -- reading --------------------------------------------------------------------------------

    def _map_page(
        self, page: ListPage[WCProduct], variations: dict[int, list[WCVariation]] | None = None
    ) -> list[Product]:
        return map_products(page.items, page.raw, currency=self._currency, variations=variations)

    async def get_products(self, cursor: str | None = None, limit: int = 100) -> ProductPage:
        """One page of products (without variants), by ascending id. A cursor keeps the page
        size it was made with; `limit` is capped at 100."""
        if cursor is None:
            page_number, per_page = 1, max(1, min(limit, MAX_PER_PAGE))
        else:
            page_number, per_page = decode_cursor(cursor)
        page = await self._client.list_products(page=page_number, per_page=per_page)
        more = page.has_more(page_number, per_page) and bool(page.items)
        return ProductPage(
            products=self._map_page(page),
            next_cursor=encode_cursor(page_number + 1, per_page) if more else None,
            total_items=page.total,
        )

    async def iter_products(
        self, *, updated_since: datetime | None = None, include_variants: bool = False
    ) -> AsyncIterator[Product]:
        """Every product (changed after `updated_since`, when given) exactly once, by id.

        Page 1 gives the page count; the other pages are then fetched concurrently in a window
        of `max_concurrency`, so memory holds a window of pages, never the catalog.
        """
        limiter = asyncio.Semaphore(self.config.max_concurrency)

        async def fetch(number: int) -> _Batch:
            async with limiter:
                page = await self._client.list_products(
                    page=number, per_page=MAX_PER_PAGE, modified_after=updated_since
                )
            found = await self._variations_of(page.items, limiter) if include_variants else None
            return _Batch(len(page.items), page.total_pages, self._map_page(page, found))

        last_id = 0
        async for batch in self._batches(fetch, await fetch(1)):
            for product in batch.products:
                product_id = int(product.id)
                # A product restored from the trash mid-listing shifts later pages by one.
                if product_id <= last_id:
                    continue
                last_id = product_id
                yield product

    async def _batches(
        self, fetch: Callable[[int], Awaitable[_Batch]], first: _Batch
    ) -> AsyncIterator[_Batch]:
        yield first
        if first.total_pages is not None:
            jobs = (partial(fetch, n) for n in range(2, first.total_pages + 1))
            async for batch in in_order(jobs, self.config.max_concurrency):
                yield batch
            return
        # No X-WP-TotalPages (a cache or proxy stripped it): one page after another until a
        # short one.
        last, number = first, 1
        while last.size >= MAX_PER_PAGE:
            number += 1
            last = await fetch(number)
            yield last

    async def _variations_of(
        self, products: list[WCProduct], limiter: asyncio.Semaphore
    ) -> dict[int, list[WCVariation]]:
        variable = [p for p in products if p.type == "variable" and p.variations]
        found = await gather_or_cancel(self._variations(p.id, limiter) for p in variable)
        return {p.id: v for p, v in zip(variable, found, strict=True)}

    async def _variations(self, product_id: int, limiter: asyncio.Semaphore) -> list[WCVariation]:
        async def fetch(number: int) -> ListPage[WCVariation]:
            async with limiter:
                return await self._client.list_variations(product_id, page=number)

        first = await fetch(1)
        items = list(first.items)
        if first.total_pages and first.total_pages > 1:
            for page in await gather_or_cancel(fetch(n) for n in range(2, first.total_pages + 1)):
                items.extend(page.items)
        return items

    async def get_product(self, product_id: str, *, include_variants: bool = True) -> Product:
        """One product; a variable product's variations fill `variants` (one more request)."""
        item, raw = await self._client.get_product(_numeric_id(product_id))
        return await self._mapped(item, raw, include_variants=include_variants)

    async def _mapped(
        self, item: WCProduct, raw: dict[str, Any], *, include_variants: bool
    ) -> Product:
        variations: list[WCVariation] = []
        if include_variants and item.type == "variable" and item.variations:
            limiter = asyncio.Semaphore(self.config.max_concurrency)
            variations = await self._variations(item.id, limiter)
        return map_product(item, raw, currency=self._currency, variations=variations)

    # -- writing --------------------------------------------------------------------------------

    async def update_product(self, product_id: str, update: ProductUpdate) -> Product:
        """`PUT /products/{id}` (or its variation `update.variant_id`) with the fields set in
        `update`; returns the product as the store now has it, variants included.

        WooCommerce ignores `stock_quantity` on a product that does not manage stock: set
        `manage_stock=True` with it. A read-only key raises `PermissionDeniedError`.
        """
        numeric_id = _numeric_id(product_id)
        body = update_body(update)
        if update.variant_id is not None:
            variation_id = _numeric_id(update.variant_id, "variation")
            if body:
                await self._client.update_variation(numeric_id, variation_id, body)
            return await self.get_product(product_id)
        if not body:
            return await self.get_product(product_id)
        item, raw = await self._client.update_product(numeric_id, body)
        return await self._mapped(item, raw, include_variants=True)
