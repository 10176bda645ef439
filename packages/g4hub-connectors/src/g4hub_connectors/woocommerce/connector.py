"""The WooCommerce connector: the SDK contract over the WooCommerce REST API (wc/v3)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from g4hub_connectors.config import WooCommerceConfig
from g4hub_connectors.connector import BaseConnector
from g4hub_connectors.errors import (
    NotFoundError,
    PermissionDeniedError,
    UnexpectedResponseError,
)
from g4hub_connectors.models import Product, ProductPage, ProductUpdate, StoreInfo
from g4hub_connectors.woocommerce.client import ListPage, WooCommerceClient
from g4hub_connectors.woocommerce.listing import each_once
from g4hub_connectors.woocommerce.mapping import map_product, map_products
from g4hub_connectors.woocommerce.pagination import (
    MAX_PER_PAGE,
    decode_cursor,
    encode_cursor,
    gather_or_cancel,
)
from g4hub_connectors.woocommerce.payloads import WCProduct, WCSystemStatus, WCVariation
from g4hub_connectors.woocommerce.writes import ignored_fields, not_applied, update_body

__all__ = ["WooCommerceConnector"]

logger = logging.getLogger("g4hub_connectors.woocommerce")

SETTINGS_REFUSED_WARNING = (
    "Your API key's user may not read WooCommerce's settings and system status (it needs the "
    "manage_woocommerce capability, which administrators and shop managers have), so the "
    "WooCommerce version and the store currency are unknown."
)


NO_VARIATIONS_ROUTE_WARNING = (
    "Your WooCommerce store is older than version 10.3, which cannot list the variations changed "
    "since the last sync, so an incremental sync misses a variation's change (its stock, price or "
    "SKU) until the product itself changes or a full sync runs. Update WooCommerce to 10.3 or "
    "later."
)


@dataclass(frozen=True)
class _Batch:
    """One listing page, mapped, with the paging facts it came with."""

    items: list[Product]
    per_page: int
    total: int | None
    total_pages: int | None


def _numeric_id(value: str, what: str = "product") -> int:
    # WooCommerce ids are positive integers; anything else cannot name a product, and sending it
    # would only earn a `rest_no_route` 404.
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise NotFoundError(
            f"WooCommerce {what} ids are numbers, got {value!r}", platform="woocommerce"
        )
    return int(text)


class WooCommerceConnector(BaseConnector[WooCommerceConfig]):
    """A WooCommerce store through its REST API.

    Listing fetches page 1, then the other pages concurrently (at most `config.max_concurrency`
    requests in flight, variations included), yielding in page order, each product once. Every
    product carries the store currency, read once per connector. Warnings about what the store
    forced (query-string auth, no access to its settings) are in `warnings()`.
    """

    platform = "woocommerce"
    config_class = WooCommerceConfig

    def __init__(
        self, config: WooCommerceConfig, *, http_client: httpx.AsyncClient | None = None
    ) -> None:
        super().__init__(config, http_client=http_client)
        self._client = WooCommerceClient(config, http_client)
        self._currency: str | None = None
        self._currency_known = False
        self._currency_lock = asyncio.Lock()

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
            self._client.warn(SETTINGS_REFUSED_WARNING)
            status = WCSystemStatus()
        # The currency route needs the same capability: a refused status settles it too.
        self._currency, self._currency_known = status.settings.currency or None, True
        environment = status.environment
        extra = {
            "home_url": environment.home_url,
            "wp_version": environment.wp_version,
            "authentication": self._client.auth_mode,
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

    async def store_currency(self) -> str | None:
        """The store currency's ISO code, read once per connector (`None` when the key's user
        may not read WooCommerce's settings, with a warning; never an error for that)."""
        if self._currency_known:
            return self._currency
        async with self._currency_lock:
            if not self._currency_known:
                try:
                    self._currency = await self._client.current_currency()
                except (PermissionDeniedError, NotFoundError, UnexpectedResponseError) as exc:
                    # 403 for a user without manage_woocommerce; 404 before WooCommerce 3.5.
                    logger.info("%s: store currency unknown (%s)", self.config.store_url, exc.code)
                    if isinstance(exc, PermissionDeniedError):
                        self._client.warn(SETTINGS_REFUSED_WARNING)
                    self._currency = None
                self._currency_known = True
        return self._currency

    # -- reading --------------------------------------------------------------------------------

    def _map_page(
        self, page: ListPage[WCProduct], variations: dict[int, list[WCVariation]] | None = None
    ) -> list[Product]:
        return map_products(page.items, page.raw, currency=self._currency, variations=variations)

    async def get_products(self, cursor: str | None = None, limit: int = 100) -> ProductPage:
        """One page of products (without variants), asked by ascending id. A cursor keeps the
        page size it was made with; `limit` is capped at 100. Pages follow the store's own
        order, which plugins may change: only `iter_products` promises each product once."""
        if cursor is None:
            page_number, per_page = 1, max(1, min(limit, MAX_PER_PAGE))
        else:
            page_number, per_page = decode_cursor(cursor)
        await self.store_currency()
        page = await self._client.list_products(page=page_number, per_page=per_page)
        more = page.has_more(page_number)
        return ProductPage(
            products=self._map_page(page),
            next_cursor=encode_cursor(page_number + 1, per_page) if more else None,
            total_items=page.total,
        )

    async def iter_products(
        self, *, updated_since: datetime | None = None, include_variants: bool = False
    ) -> AsyncIterator[Product]:
        """Every product (changed after `updated_since`, when given) exactly once, whatever order
        the store answers in (see `listing.py`).

        Page 1 gives the page count; the other pages are then fetched concurrently in a window
        of `max_concurrency`, so memory holds a window of pages, never the catalog.
        """
        limiter = asyncio.Semaphore(self.config.max_concurrency)
        await self.store_currency()
        listed_variations: dict[int, list[WCVariation]] | None = None
        if include_variants and updated_since is None:
            listed_variations = await self._store_variations(limiter)

        async def fetch(number: int) -> _Batch:
            async with limiter:
                page = await self._client.list_products(
                    page=number, per_page=MAX_PER_PAGE, modified_after=updated_since
                )
            found = None
            if include_variants:
                found = await self._variations_of(page.items, limiter, listed_variations)
            products = self._map_page(page, found)
            return _Batch(products, page.per_page, page.total, page.total_pages)

        products = each_once(
            fetch,
            await fetch(1),
            key=lambda product: product.id,
            window=self.config.max_concurrency,
            what="products",
        )
        listed: set[str] = set()
        async for product in products:
            listed.add(product.id)
            yield product
        if include_variants and updated_since is not None:
            async for product in self._with_changed_variations(updated_since, listed, limiter):
                yield product

    async def _with_changed_variations(
        self, since: datetime, listed: set[str], limiter: asyncio.Semaphore
    ) -> AsyncIterator[Product]:
        """The variable products, not in `listed`, of which a variation changed after `since`.

        A variation's change moves its own `date_modified`, not its parent's, so the parent
        listing misses it; `GET /variations` finds it (one request per 100 changed variations,
        then two per parent). Stores before WooCommerce 10.3 lack that route: a warning says
        that their variations' changes wait for the next full sync.
        """
        parents: list[int] = []
        try:
            async for parent_id in self._parents_of_changed_variations(since, limiter):
                if str(parent_id) not in listed:
                    listed.add(str(parent_id))
                    parents.append(parent_id)
        except NotFoundError as exc:
            if exc.platform_code != "rest_no_route":
                raise
            self._client.warn(NO_VARIATIONS_ROUTE_WARNING)
            return
        for start in range(0, len(parents), self.config.max_concurrency):
            chunk = parents[start : start + self.config.max_concurrency]
            found = await gather_or_cancel(self._parent(p, limiter) for p in chunk)
            for product in found:
                if product is not None:
                    yield product

    async def _parents_of_changed_variations(
        self, since: datetime, limiter: asyncio.Semaphore
    ) -> AsyncIterator[int]:
        async def fetch(number: int) -> ListPage[WCVariation]:
            async with limiter:
                return await self._client.list_store_variations(
                    page=number, modified_after=since, ids_only=True
                )

        variations = each_once(
            fetch,
            await fetch(1),
            key=lambda variation: variation.id,
            window=self.config.max_concurrency,
            what="variations",
        )
        async for variation in variations:
            if variation.parent_id:
                yield variation.parent_id

    async def _parent(self, product_id: int, limiter: asyncio.Semaphore) -> Product | None:
        try:
            async with limiter:
                item, raw = await self._client.get_product(product_id)
        except NotFoundError:
            return None  # deleted since its variation changed: the listing no longer has it
        if item.status == "trash":
            return None  # listings leave the trash out
        variations: list[WCVariation] = []
        if item.type == "variable" and item.variations:
            variations = await self._variations(item.id, limiter)
        return map_product(item, raw, currency=self._currency, variations=variations)

    async def _store_variations(
        self, limiter: asyncio.Semaphore
    ) -> dict[int, list[WCVariation]] | None:
        """Every variation of the store by parent id, from `GET /variations` (WooCommerce
        10.3+): a hundred per request, where asking each variable product costs one request
        per product. `None` when the store lacks the route (then each product is asked)."""

        async def fetch(number: int) -> ListPage[WCVariation]:
            async with limiter:
                return await self._client.list_store_variations(page=number)

        try:
            first = await fetch(1)
        except NotFoundError as exc:
            if exc.platform_code != "rest_no_route":
                raise
            return None
        found: dict[int, list[WCVariation]] = {}
        variations = each_once(
            fetch, first, key=lambda v: v.id, window=self.config.max_concurrency, what="variations"
        )
        async for variation in variations:
            if variation.parent_id:
                found.setdefault(variation.parent_id, []).append(variation)
        return found

    async def _variations_of(
        self,
        products: list[WCProduct],
        limiter: asyncio.Semaphore,
        listed: dict[int, list[WCVariation]] | None = None,
    ) -> dict[int, list[WCVariation]]:
        """The variations of the page's variable products: from `listed` (the store-wide
        listing) where it holds exactly the ids the product names, else asked per product (a
        product created or changed since that listing)."""
        variable = [p for p in products if p.type == "variable" and p.variations]
        known: dict[int, list[WCVariation]] = {}
        for product in variable:
            held = (listed or {}).get(product.id, [])
            if listed is not None and {v.id for v in held} == set(product.variations or ()):
                known[product.id] = sorted(held, key=lambda variation: variation.id)
        missing = [p for p in variable if p.id not in known]
        found = await gather_or_cancel(self._variations(p.id, limiter) for p in missing)
        return known | {p.id: v for p, v in zip(missing, found, strict=True)}

    async def _variations(self, product_id: int, limiter: asyncio.Semaphore) -> list[WCVariation]:
        async def fetch(number: int) -> ListPage[WCVariation]:
            async with limiter:
                return await self._client.list_variations(product_id, page=number)

        variations = each_once(
            fetch,
            await fetch(1),
            key=lambda variation: variation.id,
            window=self.config.max_concurrency,
            what="variations",
        )
        return [variation async for variation in variations]

    async def get_product(self, product_id: str, *, include_variants: bool = True) -> Product:
        """One product; a variable product's variations fill `variants` (one more request)."""
        item, raw = await self._client.get_product(_numeric_id(product_id))
        return await self._mapped(item, raw, include_variants=include_variants)

    async def _mapped(
        self, item: WCProduct, raw: dict[str, Any], *, include_variants: bool
    ) -> Product:
        await self.store_currency()
        variations: list[WCVariation] = []
        if include_variants and item.type == "variable" and item.variations:
            limiter = asyncio.Semaphore(self.config.max_concurrency)
            variations = await self._variations(item.id, limiter)
        return map_product(item, raw, currency=self._currency, variations=variations)

    # -- writing --------------------------------------------------------------------------------

    async def update_product(self, product_id: str, update: ProductUpdate) -> Product:
        """`PUT /products/{id}` (or its variation `update.variant_id`) with the fields set in
        `update`; returns the product as the store now has it, variants included.

        A `stock_quantity` switches stock management on in the same request (WooCommerce
        ignores it otherwise); with `manage_stock=False` it raises `InvalidRequestError` before
        sending. The store's answer is compared with what was asked: fields it kept its own
        values for raise `WriteNotAppliedError` (`applied`: the product as the store has it). A
        read-only key raises `PermissionDeniedError`.
        """
        numeric_id = _numeric_id(product_id)
        variation_id = None
        if update.variant_id is not None:
            variation_id = _numeric_id(update.variant_id, "variation")
        body = update_body(update)
        if not body:
            return await self.get_product(product_id)
        if variation_id is not None:
            answer, _ = await self._client.update_variation(numeric_id, variation_id, body)
            product = await self.get_product(product_id)
            route, variable = f"products/{numeric_id}/variations/{variation_id}", False
            ignored = ignored_fields(update, answer)
        else:
            item, raw = await self._client.update_product(numeric_id, body)
            product = await self._mapped(item, raw, include_variants=True)
            route, variable = f"products/{numeric_id}", item.type == "variable"
            ignored = ignored_fields(update, item)
        if ignored:
            raise not_applied(ignored, product, route=route, variable=variable)
        return product
