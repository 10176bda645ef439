"""HTTP calls to a WooCommerce store, returning payload models.

Before its first API call the client reads the WordPress REST index (`GET /wp-json/`, no auth):
it names the store, says whether WooCommerce and the requested API version are there, and refuses
plain permalinks, on which WooCommerce accepts no API key (`discovery.py`). It then authenticates
as the store's scheme requires (see `auth.py`) and falls back, once, from the Authorization header
to query-string auth when the host strips the header.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import TypeAdapter

from g4hub_connectors._http import ErrorBody, HTTPClient, _describe_body, redact_url
from g4hub_connectors.config import WooCommerceConfig
from g4hub_connectors.errors import (
    AuthenticationError,
    ConnectorError,
    PermissionDeniedError,
    UnexpectedResponseError,
)
from g4hub_connectors.woocommerce.auth import AuthMode, build_auth, install_log_redaction
from g4hub_connectors.woocommerce.discovery import check_namespaces, read_index
from g4hub_connectors.woocommerce.pagination import MAX_PER_PAGE, page_plan
from g4hub_connectors.woocommerce.payloads import (
    PRODUCT_LIST,
    VARIATION_LIST,
    WCCurrency,
    WCProduct,
    WCSystemStatus,
    WCVariation,
    WPIndex,
)
from g4hub_connectors.woocommerce.wp_errors import (
    CLASSIFY,
    add_fields,
    describe_answer,
    not_api_data,
    read_wp_error,
)

__all__ = ["ListPage", "WooCommerceClient"]

logger = logging.getLogger("g4hub_connectors.woocommerce")
install_log_redaction()

T = TypeVar("T")
Params = Sequence[tuple[str, str | int]]

_JSON_HEADERS = {"Accept": "application/json"}
_LISTING = (("status", "any"), ("orderby", "id"), ("order", "asc"))
_PRODUCT: TypeAdapter[WCProduct] = TypeAdapter(WCProduct)
_VARIATION: TypeAdapter[WCVariation] = TypeAdapter(WCVariation)
_SYSTEM_STATUS: TypeAdapter[WCSystemStatus] = TypeAdapter(WCSystemStatus)
_CURRENCY: TypeAdapter[WCCurrency] = TypeAdapter(WCCurrency)

HEADER_STRIPPED_WARNING = (
    "Your host strips the Authorization header from requests, so the connector is using "
    "query-string authentication (the key travels in the URL, over HTTPS). Ask your host to pass "
    "the Authorization header through to WordPress to use header authentication again."
)


@dataclass(frozen=True)
class ListPage(Generic[T]):
    """One page of a collection: the validated items, their JSON as received, the page size
    asked for, and the totals from `X-WP-Total` / `X-WP-TotalPages` (`None` when a proxy
    stripped them)."""

    items: list[T]
    raw: list[dict[str, Any]]
    per_page: int
    total: int | None
    total_pages: int | None

    def has_more(self, page: int) -> bool:
        """Whether a page follows `page`, as far as the headers can be trusted."""
        if not self.items:
            return False
        plan = page_plan(self.total, self.total_pages, self.per_page)
        return len(self.items) >= self.per_page if plan is None else page < plan


def _modified_after(moment: datetime | None) -> list[tuple[str, str | int]]:
    if moment is None:
        return []
    # WordPress compares whole seconds; dropping the fraction keeps "strictly after".
    gmt = moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    return [("modified_after", gmt.isoformat()), ("dates_are_gmt", "true")]


def _int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


class WooCommerceClient(HTTPClient):
    platform = "woocommerce"
    classify = CLASSIFY

    def __init__(self, config: WooCommerceConfig, http_client: httpx.AsyncClient | None) -> None:
        super().__init__(config, http_client)
        self.store_url = config.store_url
        self.api_version = config.api_version
        self._key = config.consumer_key.get_secret_value()
        self._secret = config.consumer_secret.get_secret_value()
        self._https = urlsplit(config.store_url).scheme == "https"
        self.auth_mode: AuthMode = "basic" if self._https else "oauth"
        self._auth = build_auth(self.auth_mode, self._key, self._secret)
        self._query_auth_tried = False
        self._reads_succeeded = False
        self.index: WPIndex | None = None
        self._discovered = False
        self._discovery = asyncio.Lock()
        self._last_answer: httpx.Response | None = None
        self.warnings: list[str] = []

    def __repr__(self) -> str:
        return f"WooCommerceClient(store_url={self.store_url!r}, auth_mode={self.auth_mode!r})"

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # -- errors -----------------------------------------------------------------------------------

    def parse_error(self, response: httpx.Response) -> ErrorBody:
        error = read_wp_error(response)
        if error is None:
            return ErrorBody(message=_describe_body(response))
        return ErrorBody(code=error.code, message=error.message)

    def after_response(self, response: httpx.Response) -> None:
        self._last_answer = response

    def error_for(self, response: httpx.Response) -> ConnectorError:
        return not_api_data(response) or add_fields(super().error_for(response), response)

    def last_answer(self) -> str:
        """The last answer in a few words, for messages: "404 with an HTML page titled …"."""
        response = self._last_answer
        return "nothing" if response is None else describe_answer(response)

    # -- discovery ------------------------------------------------------------------------------

    async def discover(self) -> WPIndex | None:
        """Read the REST index once per client; raises when this is not a WooCommerce store."""
        if self._discovered:
            return self.index
        async with self._discovery:
            if not self._discovered:
                self.index = await read_index(self)
                check_namespaces(self.index, store_url=self.store_url, api_version=self.api_version)
                self._discovered = True
        return self.index

    # -- requests -------------------------------------------------------------------------------

    def _url(self, route: str) -> str:
        return f"{self.store_url}/wp-json/{self.api_version}/{route}"

    async def request(
        self,
        method: str,
        route: str,
        *,
        params: Params = (),
        json_body: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one authenticated API request to `route` (e.g. "products/12")."""
        await self.discover()
        url = self._url(route)
        query = list(params)
        try:
            response = await self.send(
                method, url, params=query, json_body=json_body, headers=_JSON_HEADERS,
                auth=self._auth, idempotent=idempotent,
            )  # fmt: skip
        except AuthenticationError as exc:
            if not self._header_may_be_stripped(exc):
                raise
            self._query_auth_tried = True
            # The 401 came before WordPress dispatched the request, so even a write can be
            # repeated here without being applied twice.
            query_auth = build_auth("query", self._key, self._secret)
            response = await self.send(
                method, url, params=query, json_body=json_body, headers=_JSON_HEADERS,
                auth=query_auth, idempotent=idempotent,
            )  # fmt: skip
            self.auth_mode, self._auth = "query", query_auth
            self.warn(HEADER_STRIPPED_WARNING)
            logger.warning("%s: Authorization header stripped; using query auth", self.store_url)
        if method == "GET":
            self._reads_succeeded = True
        return response

    def _header_may_be_stripped(self, exc: AuthenticationError) -> bool:
        # A stripped header leaves the request anonymous, which WooCommerce answers with the same
        # 401 as an unknown key (`woocommerce_rest_cannot_view`, `_cannot_edit` for a write);
        # only a retry with the key in the query tells them apart.
        return (
            self.auth_mode == "basic"
            and not self._query_auth_tried
            and exc.status_code == 401
            and (exc.platform_code or "").startswith("woocommerce_rest_cannot_")
        )

    async def write(
        self, method: str, route: str, body: dict[str, Any], *, idempotent: bool
    ) -> httpx.Response:
        """A write, retried in passing failures only when `idempotent` says the store ends in the
        same state however often it arrives (`may_retry`, the SDK's one rule): a PUT of absolute
        values is; a batch POST, which can create, is not."""
        try:
            return await self.request(method, route, json_body=body, idempotent=idempotent)
        except AuthenticationError as exc:
            # A read-only key writing gets the same code as a wrong secret; a key that can read
            # is a valid key without write permission.
            if exc.platform_code == "woocommerce_rest_authentication_error" and (
                await self._key_can_read()
            ):
                raise PermissionDeniedError(
                    exc.detail,
                    platform=self.platform,
                    status_code=exc.status_code,
                    platform_code=exc.platform_code,
                ) from None
            raise

    async def _key_can_read(self) -> bool:
        if self._reads_succeeded:
            return True
        try:
            await self.request("GET", "products", params=[("per_page", 1), ("_fields", "id")])
        except ConnectorError:
            return False
        return True

    # -- bodies -----------------------------------------------------------------------------------

    def _page(
        self, response: httpx.Response, adapter: TypeAdapter[list[T]], what: str, per_page: int
    ) -> ListPage[T]:
        data = self.decode_json(response)
        return ListPage(
            items=self.validate(response, data, adapter, what),
            raw=data,
            per_page=per_page,
            total=_int_header(response, "X-WP-Total"),
            total_pages=_int_header(response, "X-WP-TotalPages"),
        )

    def _one(
        self, response: httpx.Response, adapter: TypeAdapter[T], what: str
    ) -> tuple[T, dict[str, Any]]:
        data = self.decode_json(response)
        return self.validate(response, data, adapter, what), data

    # -- the API --------------------------------------------------------------------------------

    async def count_products(self) -> int:
        response = await self.request("GET", "products", params=[("per_page", 1)])
        self.validate(response, self.decode_json(response), PRODUCT_LIST, "a list of products")
        total = _int_header(response, "X-WP-Total")
        if total is None:
            shown = redact_url(response.request.url)
            raise UnexpectedResponseError(
                f"{response.status_code} from {shown}: no X-WP-Total header",
                platform=self.platform,
                status_code=response.status_code,
                user_message=(
                    "Your WooCommerce store answered without the X-WP-Total header, so the "
                    "products could not be counted. A cache or proxy in front of the store may "
                    "strip it."
                ),
            )
        return total

    async def list_products(
        self, *, page: int, per_page: int, modified_after: datetime | None = None
    ) -> ListPage[WCProduct]:
        """Products (asked by ascending id, which stores need not keep), every status but trash;
        `modified_after` is exclusive."""
        params: list[tuple[str, str | int]] = [("page", page), ("per_page", per_page), *_LISTING]
        params += _modified_after(modified_after)
        response = await self.request("GET", "products", params=params)
        return self._page(response, PRODUCT_LIST, "a list of products", per_page)

    async def list_store_variations(
        self, *, page: int, modified_after: datetime | None = None, ids_only: bool = False
    ) -> ListPage[WCVariation]:
        """The variations of every product (`GET /variations`, WooCommerce 10.3+; older stores
        answer 404 `rest_no_route`), each naming its `parent_id`; with `modified_after`, those
        changed strictly after it by their own `date_modified`; `ids_only`: `id` and
        `parent_id` alone."""
        params: list[tuple[str, str | int]] = [
            ("page", page),
            ("per_page", MAX_PER_PAGE),
            ("orderby", "id"),
            ("order", "asc"),
            *_modified_after(modified_after),
        ]
        if ids_only:
            params.append(("_fields", "id,parent_id"))
        response = await self.request("GET", "variations", params=params)
        return self._page(response, VARIATION_LIST, "a list of variations", MAX_PER_PAGE)

    async def list_variations(
        self, product_id: int, *, page: int, per_page: int = MAX_PER_PAGE
    ) -> ListPage[WCVariation]:
        params: Params = [
            ("page", page),
            ("per_page", per_page),
            ("orderby", "id"),
            ("order", "asc"),
        ]
        response = await self.request("GET", f"products/{product_id}/variations", params=params)
        return self._page(response, VARIATION_LIST, "a list of variations", per_page)

    async def get_product(self, product_id: int) -> tuple[WCProduct, dict[str, Any]]:
        response = await self.request("GET", f"products/{product_id}")
        return self._one(response, _PRODUCT, "a product")

    async def update_product(
        self, product_id: int, body: dict[str, Any]
    ) -> tuple[WCProduct, dict[str, Any]]:
        # Absolute values (prices, a quantity, a flag): sent twice, the product ends the same.
        response = await self.write("PUT", f"products/{product_id}", body, idempotent=True)
        return self._one(response, _PRODUCT, "a product")

    async def update_variation(
        self, product_id: int, variation_id: int, body: dict[str, Any]
    ) -> tuple[WCVariation, dict[str, Any]]:
        route = f"products/{product_id}/variations/{variation_id}"
        response = await self.write("PUT", route, body, idempotent=True)
        return self._one(response, _VARIATION, "a variation")

    async def system_status(self) -> WCSystemStatus:
        """Version and currency; needs a key whose user can manage WooCommerce."""
        response = await self.request(
            "GET", "system_status", params=[("_fields", "environment,settings")]
        )
        data = self.decode_json(response)
        return self.validate(response, data, _SYSTEM_STATUS, "WooCommerce's system status")

    async def current_currency(self) -> str | None:
        """The store currency's ISO code from `GET /data/currencies/current`: a few hundred
        bytes, where the system status runs the server's self-tests. Needs a key whose user can
        manage WooCommerce, as the status does."""
        response = await self.request("GET", "data/currencies/current")
        data = self.decode_json(response)
        currency = self.validate(response, data, _CURRENCY, "the store currency")
        return currency.code or None
