"""`FakeShopifyStore`: an ASGI app that answers like Shopify's REST Admin API.

What it reproduces (PLATFORMS.md, Shopify):

- auth by `X-Shopify-Access-Token`: a static `shpat_` token with a configurable scope set, and the
  client-credentials grant (`POST /admin/oauth/access_token`) issuing tokens that expire;
  Shopify's 401 and 403 bodies (the 403 names the missing scope);
- API versions: the last five quarters up to the SDK's default, the next quarter's release
  candidate and `unstable`; an older version is served by the oldest supported one, saying so in
  `X-Shopify-API-Version` and `X-Shopify-API-Deprecated-Reason`; anything else is a 404;
- the leaky bucket of the store's plan (`standard` 40 at 2/s, `advanced` 80 at 4/s, `plus` 400 at
  20/s, the default), reported in `X-Shopify-Shop-Api-Call-Limit` on every answer, and 429 with
  `Retry-After: 2.0` on overflow, driven by `clock` so tests can run it without sleeping;
- injected faults (`inject`) answer with Shopify's own error bodies; an injected 429 takes its
  `Retry-After` from the fault's `headers`; every Admin API answer names itself in `X-Request-Id`;
- writes answer 200 without applying the fields in `ignored_writes` (see `WritesMixin`);
- `products.json` with `limit` (max 250), `Link` cursors (`page_info`, alone but for `limit` and
  `fields`; `page` refused), `fields`, `ids`, `since_id`, `status`, `updated_at_min/max`,
  `created_at_min/max`; `products/count.json`; `products/{id}.json`; `variants/{id}.json` (PUT);
  `inventory_items/{id}.json` (PUT); `inventory_levels/set.json`; `locations.json`; `shop.json`.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from g4hub_connectors.config import DEFAULT_SHOPIFY_API_VERSION
from g4hub_connectors.shopify.versions import SUPPORTED_API_VERSIONS
from g4hub_connectors.testing._asgi import FakeStore, Request, Response
from g4hub_connectors.testing.shopify._catalog import (
    Catalog,
    product_id,
    product_index,
    render_product,
)
from g4hub_connectors.testing.shopify._graphql import BULK_PATH, GraphQLAdmin
from g4hub_connectors.testing.shopify._rules import (
    DEPRECATION_REASON,
    PAGINATION_GUIDE,
    PLAN_ALIASES,
    PLANS,
    Bucket,
    Filters,
    ListingError,
    Versions,
    check_page_info_params,
    decode_page_info,
    encode_page_info,
    parse_limit,
)
from g4hub_connectors.testing.shopify._webhooks import ShopifyWebhooksFake
from g4hub_connectors.testing.shopify._writes import WritesMixin, locations_json, shop_json

__all__ = ["DEFAULT_SCOPES", "FakeShopifyStore"]

DEFAULT_SCOPES = frozenset(
    {"read_products", "write_products", "read_inventory", "write_inventory", "read_locations"}
)
UNAUTHORIZED = "[API] Invalid API key or access token (unrecognized login or wrong password)"
_API_PATH = re.compile(r"^/admin/api/([^/]+)/(.+)$")


def errors(body: Any, status: int, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response.json({"errors": body}, status, headers)


def missing_scope(scope: str) -> Response:
    return errors(f"[API] This action requires merchant approval for {scope} scope.", 403)


def _hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class FakeShopifyStore(WritesMixin, FakeStore):
    """A fake Shopify store with a generated catalog of `products` products.

    - `plan`: `plus` (default), `advanced` or `standard` (also `basic`): the bucket's size and leak
      rate. Plus's 400-request bucket keeps tests that page in tiny steps fast; choose `standard`
      (40 at 2/s, the most common plan) to test pacing, with a fake `clock` to avoid real waits.
    - `scopes`: what the tokens are granted (default: products, inventory, locations, read and
      write). Without `read_products`, reads of products answer Shopify's 403.
    - `api_versions`: the stable versions served, oldest first (default: the versions Shopify
      supports now, the SDK's `SUPPORTED_API_VERSIONS`).
    - `token_ttl`: seconds a client-credentials token lives (Shopify: about a day).
    - `clock`: the bucket's and the tokens' time source (default `time.monotonic`).
    """

    default_url = "https://fake-store.myshopify.com"

    def __init__(
        self,
        products: int = 50,
        seed: int = 1,
        latency: float = 0.0,
        *,
        plan: str = "plus",
        scopes: Iterable[str] | None = None,
        api_versions: Iterable[str] | None = None,
        token_ttl: float = 86_399.0,
        clock: Callable[[], float] = time.monotonic,
        currency: str = "EUR",
        shop_name: str = "G4 Fake Shopify Store",
    ) -> None:
        super().__init__(latency=latency)
        self.plan = PLAN_ALIASES.get(plan, plan)
        if self.plan not in PLANS:
            raise ValueError(f"unknown plan {plan!r} (known: {', '.join(PLANS)})")
        _, _, size, leak = PLANS[self.plan]
        self.catalog = Catalog(products, seed)
        self.seed = seed
        self.scopes = frozenset(DEFAULT_SCOPES if scopes is None else scopes)
        stable = tuple(api_versions or SUPPORTED_API_VERSIONS)
        self.versions = Versions(stable)
        self.token_ttl = token_ttl
        self.clock = clock
        self.bucket = Bucket(size, leak, clock)
        self.currency = currency
        self.shop_name = shop_name
        self.access_token = f"shpat_{_hex(f'fake-shopify-token-{seed}')}"
        self.client_id = _hex(f"fake-shopify-client-{seed}")
        self.client_secret = f"shpss_{_hex(f'fake-shopify-secret-{seed}')}"
        self.issued: dict[str, float] = {}
        """Client-credentials tokens handed out, with the clock time they expire at."""
        self.token_requests = 0
        self._token_counter = itertools.count(1)
        self.graphql = GraphQLAdmin(self)
        """The GraphQL Admin API side (`_graphql.py`): cost bucket, bulk operations, tokens."""
        self.webhooks = ShopifyWebhooksFake(self)
        """Webhook subscriptions, and deliveries queued for the test to send (`_webhooks.py`)."""

    # -- the FakeStore contract -----------------------------------------------------------------

    def credentials(self, **overrides: Any) -> dict[str, Any]:
        return {
            "platform": "shopify",
            "store_url": self.url,
            "access_token": self.access_token,
            "api_version": DEFAULT_SHOPIFY_API_VERSION,
            **overrides,
        }

    def client_credentials(self, **overrides: Any) -> dict[str, Any]:
        """Like `credentials()`, for a Dev Dashboard app: client ID and secret, no token."""
        return {
            "platform": "shopify",
            "store_url": self.url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "api_version": DEFAULT_SHOPIFY_API_VERSION,
            **overrides,
        }

    def wrong_credentials(self) -> dict[str, Any]:
        return self.credentials(access_token=f"shpat_{_hex(f'unknown-token-{self.seed}')}")

    def product_ids(self) -> list[str]:
        return [str(product_id(i)) for i in self.catalog.live_indexes()]

    def ids_updated_since(self, since: datetime) -> set[str]:
        return {
            str(product_id(i))
            for i in self.catalog.live_indexes()
            if self.catalog.meta(i)[1] > since
        }

    def variable_product_ids(self) -> set[str]:
        return {
            str(product_id(i))
            for i in self.catalog.live_indexes()
            if len(self.catalog.state(i).variants) > 1
        }

    def delete_product(self, product_id: str) -> None:
        index = product_index(product_id)
        if not self.catalog.exists(index):
            raise KeyError(f"no product {product_id}")
        assert index is not None
        self.catalog.deleted.add(index)

    def revoke_tokens(self) -> None:
        """Invalidate every client-credentials token, as rotating the app's secret does."""
        self.issued.clear()

    def fault_body(self, status: int) -> Response:
        bodies: dict[int, Any] = {
            400: "Bad Request",
            401: UNAUTHORIZED,
            402: "Unavailable Shop",
            403: "[API] This action requires merchant approval for read_products scope.",
            404: "Not Found",
            406: "Not Acceptable",
            422: {"base": ["Unprocessable Entity"]},
            423: "Locked",
            429: self.bucket.message(),
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }
        # An injected fault is not the bucket's doing: the header shows the bucket as it is.
        # `Retry-After` comes from the fault's own headers, so a test chooses the wait.
        headers = [
            ("X-Shopify-Shop-Api-Call-Limit", self.bucket.header()),
            ("X-Request-Id", str(uuid.uuid4())),
        ]
        return errors(bodies.get(status, f"Error {status}"), status, headers)

    # -- requests -------------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        if request.path.startswith(BULK_PATH) and request.method == "GET":
            return self.graphql.bulk.download(request)
        if request.path == "/admin/oauth/access_token":
            return self._grant(request) if request.method == "POST" else errors("Not Found", 404)
        match = _API_PATH.match(request.path)
        if match is None:
            return Response.html("Page not found", 404)
        requested, resource = match.groups()
        resolved = self.versions.resolve(requested)
        if resolved is None:
            return errors("Not Found", 404)
        served, fell_forward = resolved
        # Shopify names every request for its support, errors included.
        headers = [("X-Shopify-API-Version", served), ("X-Request-Id", str(uuid.uuid4()))]
        if fell_forward:
            headers.append(("X-Shopify-API-Deprecated-Reason", DEPRECATION_REASON))
        if not self._authorized(request):
            return errors(UNAUTHORIZED, 401, headers)
        if resource == "graphql.json":
            # GraphQL has its own cost bucket; the REST bucket does not count it.
            return self.graphql.handle(request, served, headers)
        if not self.bucket.take():
            headers += [
                ("X-Shopify-Shop-Api-Call-Limit", self.bucket.header()),
                ("Retry-After", "2.0"),
            ]
            return errors(self.bucket.message(), 429, headers)
        response = self._route(request, resource)
        response.headers.extend(headers)
        response.headers.append(("X-Shopify-Shop-Api-Call-Limit", self.bucket.header()))
        return response

    def _authorized(self, request: Request) -> bool:
        token = request.headers.get("x-shopify-access-token", "")
        if token and token == self.access_token:
            return True
        expires = self.issued.get(token)
        return expires is not None and self.clock() < expires

    def has_scope(self, scope: str) -> bool:
        """Shopify grants `read_x` with `write_x`."""
        if scope in self.scopes:
            return True
        return scope.startswith("read_") and f"write_{scope[5:]}" in self.scopes

    def _grant(self, request: Request) -> Response:
        self.token_requests += 1
        ctype = request.headers.get("content-type", "")
        try:
            if "json" in ctype:
                body = request.json()
                form = {str(k): str(v) for k, v in body.items()} if isinstance(body, dict) else {}
            else:
                form = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
        except ValueError:
            form = {}
        if form.get("grant_type") == "refresh_token":
            return self.graphql.refresh_grant(form)
        if form.get("grant_type") != "client_credentials":
            return Response.json(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "The authorization grant type is not supported.",
                },
                400,
            )
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return Response.json(
                {
                    "error": "invalid_client",
                    "error_description": (
                        "Client authentication failed due to unknown client, no client "
                        "authentication included, or unsupported authentication method."
                    ),
                },
                400,
            )
        token = f"shpat_{_hex(f'issued-{self.seed}-{next(self._token_counter)}')}"
        self.issued[token] = self.clock() + self.token_ttl
        return Response.json(
            {
                "access_token": token,
                "scope": ",".join(sorted(self.scopes)),
                "expires_in": int(self.token_ttl),
            }
        )

    def _route(self, request: Request, resource: str) -> Response:
        method = request.method
        parts = resource.removesuffix(".json").split("/")
        try:
            if method == "GET" and resource == "shop.json":
                return Response.json({"shop": shop_json(self)})
            if method == "GET" and resource == "locations.json":
                if not self.has_scope("read_locations"):
                    return missing_scope("read_locations")
                return Response.json({"locations": locations_json()})
            if parts[0] == "products" and method == "GET":
                if not self.has_scope("read_products"):
                    return missing_scope("read_products")
                if resource == "products.json":
                    return self._list(request)
                if resource == "products/count.json":
                    return self._count(request)
                if len(parts) == 2:
                    return self._product(request, parts[1])
            if parts[0] == "variants" and len(parts) == 2:
                return self.variant_endpoint(request, parts[1])
            if parts[0] == "inventory_items" and len(parts) == 2:
                return self.inventory_item_endpoint(request, parts[1])
            if resource == "inventory_levels/set.json" and method == "POST":
                return self.set_level_endpoint(request)
            if parts[0] == "webhooks":
                return self.webhooks.route(request, parts)
        except ListingError as exc:
            return errors(exc.errors, 400)
        return errors("Not Found", 404)

    # -- products -------------------------------------------------------------------------------

    @staticmethod
    def _params(request: Request) -> dict[str, str]:
        return dict(request.query)

    def _rendered(self, index: int, fields: str | None) -> dict[str, Any]:
        product = render_product(self.catalog.state(index), self.url)
        if fields:
            wanted = {f.strip() for f in fields.split(",")}
            product = {k: v for k, v in product.items() if k in wanted}
        return product

    def _product(self, request: Request, raw_id: str) -> Response:
        index = product_index(raw_id)
        if not self.catalog.exists(index):
            return errors("Not Found", 404)
        assert index is not None
        fields = self._params(request).get("fields")
        return Response.json({"product": self._rendered(index, fields)})

    def _count(self, request: Request) -> Response:
        params = self._params(request)
        filters = Filters.parse(params)
        if filters == Filters():
            count = self.catalog.size - len(self.catalog.deleted)
        else:
            count = sum(1 for _ in filters.scan(self.catalog, 0, 1))
        return Response.json({"count": count})

    def _list(self, request: Request) -> Response:
        params = self._params(request)
        if "page" in params:
            raise ListingError({"page": f"page cannot be passed. {PAGINATION_GUIDE}"})
        limit = parse_limit(params)
        fields = params.get("fields")
        if "page_info" in params:
            check_page_info_params(params)
            direction, anchor, filters = decode_page_info(params["page_info"])
        else:
            direction, anchor, filters = "next", -1, Filters.parse(params)
        if direction == "next":
            found = list(itertools.islice(filters.scan(self.catalog, anchor + 1, 1), limit + 1))
            has_next, has_prev = len(found) > limit, anchor >= 0
            indexes = found[:limit]
        else:
            found = list(itertools.islice(filters.scan(self.catalog, anchor - 1, -1), limit + 1))
            has_next, has_prev = True, len(found) > limit
            indexes = found[:limit][::-1]
        products = [self._rendered(i, fields) for i in indexes]
        links = []
        if indexes and has_prev:
            title = self.catalog.state(indexes[0]).seed.name
            cursor = encode_page_info("prev", indexes[0], title, filters)
            links.append(f'<{self._page_url(request, limit, fields, cursor)}>; rel="previous"')
        if indexes and has_next:
            title = self.catalog.state(indexes[-1]).seed.name
            cursor = encode_page_info("next", indexes[-1], title, filters)
            links.append(f'<{self._page_url(request, limit, fields, cursor)}>; rel="next"')
        headers = [("Link", ", ".join(links))] if links else []
        return Response.json({"products": products}, headers=headers)

    @staticmethod
    def _page_url(request: Request, limit: int, fields: str | None, page_info: str) -> str:
        query = [("limit", str(limit))]
        if fields:
            query.append(("fields", fields))
        query.append(("page_info", page_info))
        return f"{request.base_url}{request.path}?{urlencode(query)}"
