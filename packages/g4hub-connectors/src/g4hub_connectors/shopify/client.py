"""HTTP calls to the Shopify REST Admin API, each returning payload models.

The client adds the access token to every request (refreshing a client-credentials token once on a
401), paces requests through the leaky-bucket model, notices when the store answers with another
API version than asked, and turns Shopify's error bodies into the SDK's errors.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import TypeAdapter

from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.errors import (
    AuthenticationError,
    ConnectorError,
    InvalidRequestError,
    PermissionDeniedError,
)
from g4hub_connectors.shopify.auth import (
    ClientCredentialsToken,
    StaticToken,
    TokenGrant,
)
from g4hub_connectors.shopify.errors import error_fields, is_always_there
from g4hub_connectors.shopify.http import ShopifyHTTPClient, is_admin_api
from g4hub_connectors.shopify.pacing import LeakyBucketPacer, Slot, parse_call_limit
from g4hub_connectors.shopify.payloads import (
    InventoryItemPayload,
    InventoryLevelPayload,
    ProductPayload,
    ShopPayload,
    TokenPayload,
    VariantPayload,
    product_adapter,
    product_list_adapter,
    variant_adapter,
)

__all__ = ["MAX_PAGE_SIZE", "ProductBatch", "ShopifyClient"]

logger = logging.getLogger("g4hub_connectors.shopify")

CALL_LIMIT_HEADER = "X-Shopify-Shop-Api-Call-Limit"
MAX_PAGE_SIZE = 250
_SLOT = "g4hub.shopify.slot"

Sleep = Callable[[float], Awaitable[None]]
# Adapters for the single objects the client reads; products and variants have theirs in payloads.
_TOKEN: TypeAdapter[TokenPayload] = TypeAdapter(TokenPayload)
_SHOP: TypeAdapter[ShopPayload] = TypeAdapter(ShopPayload)
_INVENTORY_ITEM: TypeAdapter[InventoryItemPayload] = TypeAdapter(InventoryItemPayload)
_INVENTORY_LEVEL: TypeAdapter[InventoryLevelPayload] = TypeAdapter(InventoryLevelPayload)


@dataclass(frozen=True)
class ProductBatch:
    """One page of products: payloads, the raw dicts they came from, and the next page's
    `page_info` (from the `rel="next"` link; `None` on the last page)."""

    products: list[ProductPayload]
    raw: list[dict[str, Any]]
    next_page_info: str | None


class ShopifyClient(ShopifyHTTPClient):
    """One Shopify store over the REST Admin API, at `config.api_version`.

    `clock` and `sleep` drive the pacer and the token cache (injectable for tests); `leak_rate`
    fixes the bucket's leak rate instead of deriving it from the bucket size.
    """

    def __init__(
        self,
        config: ShopifyConfig,
        http_client: httpx.AsyncClient | None,
        *,
        clock: Callable[[], float],
        sleep: Sleep,
        leak_rate: float | None = None,
    ) -> None:
        super().__init__(config, http_client)
        self.pacer = LeakyBucketPacer(leak_rate=leak_rate, clock=clock, sleep=sleep)
        if config.access_token is not None:
            self.auth = StaticToken(config.access_token.get_secret_value())
        else:
            self.auth = ClientCredentialsToken(self._grant, clock=clock)

    def url(self, path: str) -> str:
        return f"{self.config.store_url}/admin/api/{self.config.api_version}/{path}"

    # -- hooks ------------------------------------------------------------------------------------

    async def before_send(self, request: httpx.Request) -> None:
        if is_admin_api(request.url):
            request.extensions[_SLOT] = await self.pacer.acquire()

    def after_response(self, response: httpx.Response) -> None:
        request = response.request
        if not is_admin_api(request.url):
            return
        self.note_answer(response)
        limit = parse_call_limit(response.headers.get(CALL_LIMIT_HEADER))
        slot = request.extensions.get(_SLOT)
        if limit is not None and isinstance(slot, Slot):
            self.pacer.observe(*limit, slot)
        elif response.status_code == 429:
            self.pacer.throttled()

    # -- errors -----------------------------------------------------------------------------------

    def always_answers(self, url: httpx.URL) -> bool:
        return is_always_there(url)

    def error_for(self, response: httpx.Response) -> ConnectorError:
        error = super().error_for(response)
        if isinstance(error, InvalidRequestError):
            error.fields = error_fields(response)
        return error

    def unexpected_user_message(self, shown: str, what: str) -> str:
        return (
            f"Your Shopify store answered {shown} with {what}, not what the Admin API "
            "documents. Please try again; if it persists, contact Shopify support."
        )

    def _member(self, data: Any, key: str, response: httpx.Response) -> Any:
        if not isinstance(data, dict) or key not in data:
            found = f"keys {sorted(data)[:5]}" if isinstance(data, dict) else type(data).__name__
            raise self.unexpected(response, f"JSON without “{key}” ({found})")
        return data[key]

    # -- tokens ------------------------------------------------------------------------------------

    async def _grant(self) -> TokenGrant:
        config = self.shop_config
        assert config.client_id is not None
        assert config.client_secret is not None
        url = f"{config.store_url}/admin/oauth/access_token"
        form = {
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret.get_secret_value(),
        }
        try:
            # Asking again only issues another token: safe to retry.
            response = await self.send("POST", url, form=form, idempotent=True)
        except (AuthenticationError, PermissionDeniedError, InvalidRequestError) as exc:
            raise AuthenticationError(
                f"client-credentials grant refused: {exc.detail}",
                platform=self.platform,
                status_code=exc.status_code,
                platform_code=exc.platform_code,
                user_message=(
                    "Shopify refused the app's client ID and secret. Please check both in the "
                    "Dev Dashboard, and that the app is installed on this store."
                ),
            ) from None
        token = self.validate(response, self.decode_json(response), _TOKEN, "a token grant")
        return TokenGrant(token.access_token, token.scope, token.expires_in)

    # -- endpoints --------------------------------------------------------------------------------

    async def get_shop(self) -> ShopPayload:
        data, response = await self.call("GET", self.url("shop.json"))
        return self.validate(response, self._member(data, "shop", response), _SHOP, "a shop")

    async def count_products(self) -> int:
        data, response = await self.call("GET", self.url("products/count.json"))
        count = self._member(data, "count", response)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise self.unexpected(response, f"a count that is not a number ({count!r:.20})")
        return count

    async def list_products(
        self,
        *,
        params: Mapping[str, Any] | None = None,
        page_info: str | None = None,
        limit: int = MAX_PAGE_SIZE,
        fields: str | None = None,
    ) -> ProductBatch:
        """A page of products: the first (`params`, with `limit` and `fields`) or the one a
        `page_info` from an earlier page's `Link` names.

        The next page is always asked of this store's own address and API version, with only
        `limit` and `fields` beside `page_info` (Shopify refuses anything else there): the `Link`
        header supplies the cursor, never where the access token goes.
        """
        query: dict[str, Any] = {"limit": limit}
        if fields:
            query["fields"] = fields
        if page_info is not None:
            query["page_info"] = page_info
        else:
            query = {**(params or {}), **query}
        data, response = await self.call("GET", self.url("products.json"), params=query)
        raw = self._member(data, "products", response)
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise self.unexpected(response, "“products” that is not a list of objects")
        products = self.validate(response, raw, product_list_adapter, "a list of products")
        return ProductBatch(products, raw, self._next_page_info(response))

    def _next_page_info(self, response: httpx.Response) -> str | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        try:
            value = httpx.URL(link).params.get("page_info")
        except httpx.InvalidURL:
            value = None
        page_info = value if isinstance(value, str) else None
        if not page_info or not page_info.isprintable():
            raise self.unexpected(response, 'a rel="next" Link without a page_info cursor')
        return page_info

    async def get_product(self, product_id: str) -> tuple[ProductPayload, dict[str, Any]]:
        data, response = await self.call("GET", self.url(f"products/{product_id}.json"))
        raw = self._member(data, "product", response)
        return self.validate(response, raw, product_adapter, "a product"), raw

    async def update_variant(self, variant_id: str, fields: Mapping[str, Any]) -> VariantPayload:
        body = {"variant": {"id": int(variant_id), **fields}}
        # Absolute values: sent twice, the variant ends the same (`may_retry`).
        data, response = await self.call(
            "PUT", self.url(f"variants/{variant_id}.json"), json_body=body, idempotent=True
        )
        variant = self._member(data, "variant", response)
        return self.validate(response, variant, variant_adapter, "a variant")

    async def set_tracked(self, inventory_item_id: str, tracked: bool) -> InventoryItemPayload:
        body = {"inventory_item": {"id": int(inventory_item_id), "tracked": tracked}}
        data, response = await self.call(
            "PUT",
            self.url(f"inventory_items/{inventory_item_id}.json"),
            json_body=body,
            idempotent=True,
        )
        item = self._member(data, "inventory_item", response)
        return self.validate(response, item, _INVENTORY_ITEM, "an inventory item")

    async def set_available(
        self, inventory_item_id: str, location_id: str, available: int
    ) -> InventoryLevelPayload:
        body = {
            "location_id": int(location_id),
            "inventory_item_id": int(inventory_item_id),
            "available": available,
        }
        # Not retried on failure: a POST that timed out may have been applied, and the caller
        # should see that rather than have it silently sent again.
        data, response = await self.call(
            "POST", self.url("inventory_levels/set.json"), json_body=body, idempotent=False
        )
        level = self._member(data, "inventory_level", response)
        return self.validate(response, level, _INVENTORY_LEVEL, "an inventory level")
