"""`FakeWooCommerceStore`: an ASGI app that answers like a WordPress site running WooCommerce.

What it reproduces (PLATFORMS.md, WooCommerce):

- the WordPress REST index at `/wp-json/` (site name, namespaces), and every route also at
  `/?rest_route=` and `/index.php?rest_route=`; with `pretty_permalinks=False` `/wp-json/` is a
  404 HTML page, as on a site with plain permalinks;
- WooCommerce's authentication: over HTTPS the `consumer_key` / `consumer_secret` query
  parameters, then HTTP Basic; OAuth 1.0a one-legged signatures checked as WooCommerce's PHP
  checks them (`_oauth.py`), with the 15-minute timestamp window and nonce memory;
  read-only keys; users whose role lacks a capability (403); a host that strips the
  Authorization header (`strip_authorization_header=True`); API keys read only on request URIs
  under `wp-json/wc/`, so `?rest_route=/wc/v3/...` runs as a guest (401), as on WooCommerce 9.2;
- the real WP_Error bodies, `rest_invalid_param` validation (`per_page` over 100, bad dates, …),
  `X-WP-Total` / `X-WP-TotalPages` / `Link` headers, `[]` past the last page, `_fields`;
- wc/v3 products of about 3 KB with plugin-injected keys, variations, PUT updates (a quantity
  is ignored unless the product or variation manages stock), batch updates (413 over 100 items),
  the system status report and the store currency (`data/currencies/current`);
- plugins and caches that real stores run: a sort plugin forcing its own listing order
  (`listing_order`), a page cache whose pages overlap (`page_overlap`), a proxy that rewrites the
  paging headers (`collection_headers`), a plugin that silently resets fields on every update
  (`ignored_update_fields`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from g4hub_connectors.testing._asgi import FakeStore, Receive, Request, Response, Scope, Send
from g4hub_connectors.testing.woocommerce._catalog import ID_OFFSET, Catalog
from g4hub_connectors.testing.woocommerce._handlers import Handlers, Key
from g4hub_connectors.testing.woocommerce._oauth import (
    oauth_parameters,
    php_get,
    signature_matches,
    wc_oauth_signature,
)
from g4hub_connectors.testing.woocommerce._plugins import ListingOrder
from g4hub_connectors.testing.woocommerce._render import Site
from g4hub_connectors.testing.woocommerce._webhooks import WooWebhooks
from g4hub_connectors.testing.woocommerce._wp import currency_symbol, index_body, wp_error

__all__ = ["FakeWooCommerceStore", "ListingOrder", "UserRole"]

UserRole = Literal["administrator", "shop_manager", "product_editor", "customer"]
_ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    "administrator": frozenset({"read_private_products", "edit_products", "manage_woocommerce"}),
    "shop_manager": frozenset({"read_private_products", "edit_products", "manage_woocommerce"}),
    # A custom role of the kind agencies create: manages the catalog, not the shop.
    "product_editor": frozenset({"read_private_products", "edit_products"}),
    "customer": frozenset(),
}
_NONCE_WINDOW = 15 * 60
_WC_NAMESPACE = re.compile(r"^/?(wc/v\d+)(?:/(.*))?$")
_BASE_NAMESPACES = ["oembed/1.0", "wp/v2", "wp-site-health/v1", "wp-block-editor/v1", "yoast/v1"]
_WC_EXTRA_NAMESPACES = ["wc/store", "wc/store/v1", "wc-admin", "wc-analytics", "wc-telemetry"]
# `WC_REST_Authentication::is_request_to_rest_api()`: strpos over the whole request URI.
_KEYED_URIS = ("wp-json/wc/", "wp-json/wc-")


def _token(kind: str, seed: int) -> str:
    return hashlib.sha1(f"{kind}-{seed}".encode()).hexdigest()  # noqa: S324 - an id, not a hash


class FakeWooCommerceStore(FakeStore):
    """A fake WooCommerce store with a generated catalog of `products` products.

    Reach it in-process with `http_client()` (at `https://fake-store.example`; pass `url=` for
    another address, e.g. an `http://` one to exercise OAuth 1.0a) or on a loopback port with
    `serve()` (plain HTTP, so OAuth 1.0a). `credentials()` gives a working config.

    Options: `site_path` (WordPress in a sub-folder, e.g. "/shop"), `read_only` (the key may not
    write), `user_role` (the key's user; "product_editor" lacks manage_woocommerce, "customer"
    can read nothing), `strip_authorization_header`, `pretty_permalinks`, `api_versions` (the
    wc/vN namespaces served), `installed=False` (WordPress without WooCommerce), `store_name`,
    `currency`, `wc_version`. `clock_offset` (seconds) moves the store's clock, for OAuth
    timestamp checks. `max_in_flight` records the most requests it served at once.

    Plugins and caches (attributes, also settable after construction): `listing_order`
    ("shuffled": a fixed permutation, "descending": newest id first, whatever the request asks),
    `page_overlap` (each product page after the first also repeats the last N products of the page
    before), `collection_headers` (replace `X-WP-Total` / `X-WP-TotalPages`; `None` removes one),
    `ignored_update_fields` (keys a plugin silently drops from every product and variation update).
    """

    default_url = "https://fake-store.example"

    def __init__(
        self,
        *,
        products: int = 50,
        seed: int = 1,
        latency: float = 0.0,
        url: str | None = None,
        site_path: str = "",
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        read_only: bool = False,
        user_role: UserRole = "administrator",
        store_name: str = "Fake WooCommerce Store",
        currency: str = "EUR",
        wc_version: str = "9.8.5",
        wp_version: str = "6.8.1",
        strip_authorization_header: bool = False,
        pretty_permalinks: bool = True,
        api_versions: Sequence[str] = ("wc/v1", "wc/v2", "wc/v3"),
        installed: bool = True,
        utc_offset_hours: float = 2.0,
        listing_order: ListingOrder = "requested",
        page_overlap: int = 0,
        collection_headers: dict[str, str | None] | None = None,
        ignored_update_fields: Sequence[str] = (),
    ) -> None:
        super().__init__(latency=latency)
        if url is not None:
            self.default_url = url.rstrip("/")
        self.site_path = "/" + site_path.strip("/") if site_path.strip("/") else ""
        self.consumer_key = consumer_key or f"ck_{_token('key', seed)}"
        self.consumer_secret = consumer_secret or f"cs_{_token('secret', seed)}"
        self.keys: dict[str, Key] = {
            self.consumer_key: Key(
                key_id=1,
                secret=self.consumer_secret,
                permissions="read" if read_only else "read_write",
                capabilities=_ROLE_CAPABILITIES[user_role],
            )
        }
        self.store_name = store_name
        self.currency = currency
        self.wc_version = wc_version
        self.wp_version = wp_version
        self.strip_authorization_header = strip_authorization_header
        self.pretty_permalinks = pretty_permalinks
        self.api_versions = list(api_versions) if installed else []
        self.utc_offset = timedelta(hours=utc_offset_hours)
        self.catalog = Catalog(products, seed)
        self.listing_order: ListingOrder = listing_order
        self.page_overlap = page_overlap
        self.collection_headers: dict[str, str | None] = dict(collection_headers or {})
        self.ignored_update_fields: set[str] = set(ignored_update_fields)
        self.clock_offset = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self.auth_log: list[str | None] = []
        """How each WooCommerce request authenticated: "basic", "query", "oauth" or None."""
        self._nonces: dict[int, dict[str, int]] = {}
        self._handlers = Handlers(self)
        self.webhooks = WooWebhooks(self)
        """Webhook routes, and deliveries queued for the test to send (`_webhooks.py`)."""

    # -- FakeStore ------------------------------------------------------------------------------

    def credentials(self, **overrides: Any) -> dict[str, Any]:
        return {
            "platform": "woocommerce",
            "store_url": self.url + self.site_path,
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "api_version": "wc/v3",
            **overrides,
        }

    def wrong_credentials(self) -> dict[str, Any]:
        return self.credentials(consumer_key=f"ck_{'0' * 40}", consumer_secret=f"cs_{'0' * 40}")

    def _listed(self) -> list[int]:
        return self.catalog.listing(
            status="any", orderby="id", order="asc", modified_after=None, modified_before=None,
            local_offset=None,
        )  # fmt: skip

    def product_ids(self) -> list[str]:
        return [str(index + ID_OFFSET) for index in self._listed()]

    def ids_updated_since(self, since: datetime) -> set[str]:
        return {
            str(record.product_id)
            for record in map(self.catalog.get, self._listed())
            if record.seed.updated_at > since
        }

    def variable_product_ids(self) -> set[str]:
        return {
            str(record.product_id)
            for record in map(self.catalog.get, self._listed())
            if record.type == "variable"
        }

    def delete_product(self, product_id: str) -> None:
        """Delete permanently (as emptying the trash does): the id then answers 404."""
        index = self.catalog.index_of(int(product_id))
        if index is None:
            raise KeyError(product_id)
        self.catalog.delete(index)

    def trash_product(self, product_id: str) -> None:
        """Move to the trash, as the admin's "Trash" link does: gone from listings, still
        readable by id with `status: "trash"`."""
        index = self.catalog.index_of(int(product_id))
        if index is None:
            raise KeyError(product_id)
        self.catalog.edit(
            index,
            lambda record: setattr(record, "status", "trash"),
            datetime.fromtimestamp(self.now(), UTC),
        )

    def fault_body(self, status: int) -> Response:
        known = {
            400: ("rest_invalid_param", "Invalid parameter(s): page"),
            401: ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
            403: ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
            404: ("rest_no_route", "No route was found matching the URL and request method."),
            429: ("too_many_requests", "Too many requests. Please slow down."),
            500: (
                "internal_server_error",
                "<p>There has been a critical error on this website.</p>",
            ),
            503: (
                "wp_die",
                "Briefly unavailable for scheduled maintenance. Check back in a minute.",
            ),
        }
        code, message = known.get(status, (f"http_{status}", f"HTTP {status}"))
        return wp_error(code, message, status)

    # -- ASGI -----------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.in_flight -= 1

    def now(self) -> float:
        return time.time() + self.clock_offset

    def site(self, request: Request) -> Site:
        home = f"{request.scheme}://{request.host}{self.site_path}"
        rest_root = f"{home}/wp-json" if self.pretty_permalinks else f"{home}/index.php?rest_route="
        return Site(home, rest_root, currency_symbol(self.currency), self.utc_offset)

    def _not_found_page(self) -> Response:
        return Response.html(f"Page not found &#8211; {self.store_name}", 404)

    async def handle(self, request: Request) -> Response:
        base = self.site_path
        if request.path != base and not request.path.startswith(base + "/"):
            return self._not_found_page()
        local = request.path[len(base) :] or "/"
        rest_route = request.param("rest_route")
        if rest_route is not None and local in ("/", "/index.php"):
            return self._dispatch(request, rest_route)
        if local == "/wp-json" or local.startswith("/wp-json/"):
            if not self.pretty_permalinks:
                return self._not_found_page()
            return self._dispatch(request, local[len("/wp-json") :])
        if local == "/":
            return Response.html(self.store_name)
        return self._not_found_page()

    # -- WordPress REST server ------------------------------------------------------------------

    def _namespaces(self) -> list[str]:
        wc = [*_WC_EXTRA_NAMESPACES, *self.api_versions] if self.api_versions else []
        return [*_BASE_NAMESPACES, *wc]

    def _dispatch(self, request: Request, route: str) -> Response:
        route = "/" + route.strip("/")
        site = self.site(request)
        if route == "/":
            body = index_body(
                name=self.store_name,
                home=site.home,
                namespaces=self._namespaces(),
                gmt_offset=self.utc_offset.total_seconds() / 3600,
            )
            return self._handlers.respond(request, body)
        match = _WC_NAMESPACE.match(route)
        if match is None or match.group(1) not in self.api_versions:
            return _no_route()
        get = php_get(request.query)
        key, error = self._authenticate(request, get)
        if error is not None:
            return error
        if key is not None:
            denied = key.check_method(request.method)
            if denied is not None:
                return denied
        if (match.group(2) or "").startswith("webhooks"):
            return self.webhooks.route(request, match.group(2) or "", key)
        return self._handlers.route(request, match.group(2) or "", key, get, site)

    # -- WC_REST_Authentication -----------------------------------------------------------------

    def _authenticate(
        self, request: Request, get: dict[str, Any]
    ) -> tuple[Key | None, Response | None]:
        """`authenticate()`: Basic (query parameters first) over HTTPS, then OAuth 1.0a. An
        unknown key is no error: the request goes on as a guest, and so does any request whose
        URI is not under `wp-json/wc/` (plain permalinks' `?rest_route=`), whatever it carries."""
        uri = request.path + "?" + "&".join(f"{k}={v}" for k, v in request.query)
        if not any(marker in uri for marker in _KEYED_URIS):
            self.auth_log.append(None)
            return None, None
        authorization = (
            None if self.strip_authorization_header else request.headers.get("authorization")
        )
        error: Response | None = None
        if request.scheme == "https":
            key_id, secret, method = _basic_credentials(get, authorization)
            if key_id and secret:
                key = self.keys.get(key_id)
                if key is not None:
                    if key.secret == secret:
                        self.auth_log.append(method)
                        return key, None
                    error = _auth_error("Consumer secret is invalid.")
        params = oauth_parameters(get, authorization)
        if params is None:
            self.auth_log.append(None)
            return None, error
        self.auth_log.append("oauth")
        if isinstance(params, list):
            noun = "parameter" if len(params) == 1 else "parameters"
            message = f"Missing OAuth {noun} {', '.join(params)}"
            return None, wp_error("woocommerce_rest_authentication_missing_parameter", message, 401)
        key = self.keys.get(str(params["oauth_consumer_key"]))
        if key is None:
            return None, _auth_error("Consumer key is invalid.")
        home = self.site(request).home
        expected = wc_oauth_signature(request.method, home, request.path, params, key.secret)
        if expected is None:
            return None, _auth_error("Invalid signature - signature method is invalid.")
        if not signature_matches(expected, params.get("oauth_signature")):
            return None, _auth_error("Invalid signature - provided signature does not match.")
        problem = self._check_timestamp_and_nonce(
            key, params["oauth_timestamp"], params["oauth_nonce"]
        )
        return (None, _auth_error(problem)) if problem else (key, None)

    def _check_timestamp_and_nonce(self, key: Key, timestamp: Any, nonce: Any) -> str | None:
        now = int(self.now())
        try:
            stamp = int(str(timestamp))
        except ValueError:
            return "Invalid timestamp."
        if stamp < now - _NONCE_WINDOW or stamp > now + _NONCE_WINDOW:
            return "Invalid timestamp."
        used = self._nonces.setdefault(key.key_id, {})
        if str(nonce) in used:
            return "Invalid nonce - nonce has already been used."
        # WooCommerce keys its memory by timestamp, so two nonces of the same second overwrite
        # each other there; remembering every nonce is stricter, never more lenient.
        used[str(nonce)] = stamp
        for seen, when in list(used.items()):
            if when < now - _NONCE_WINDOW:
                del used[seen]
        return None


def _no_route() -> Response:
    return wp_error("rest_no_route", "No route was found matching the URL and request method.", 404)


def _auth_error(message: str) -> Response:
    return wp_error("woocommerce_rest_authentication_error", message, 401)


def _basic_credentials(get: dict[str, Any], authorization: str | None) -> tuple[str, str, str]:
    """`perform_basic_authentication()`'s sources: the query parameters, then the header."""
    key, secret = get.get("consumer_key"), get.get("consumer_secret")
    if isinstance(key, str) and isinstance(secret, str) and key and secret:
        return key, secret, "query"
    if authorization and authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", "", "basic"
        user, _, password = decoded.partition(":")
        return user, password, "basic"
    return "", "", "basic"
