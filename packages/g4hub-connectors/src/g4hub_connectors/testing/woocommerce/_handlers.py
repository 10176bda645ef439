"""The fake WooCommerce store's wc/vN routes: products, variations, batch, system status, the
store currency (the write routes live in `_write_routes.py`).

Each route runs in WordPress's order: the key's read/write permission (checked by the store
before routing), then parameter validation (`rest_invalid_param`), then the route's permission
callback (401 for a guest, 403 for a user lacking the capability), then the handler.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from g4hub_connectors.testing._asgi import Request, Response
from g4hub_connectors.testing._catalog import SeedVariant
from g4hub_connectors.testing.woocommerce._keys import READS, WRITES, Key, can, denied
from g4hub_connectors.testing.woocommerce._plugins import (
    forced_order,
    page_slice,
    rewrite_headers,
)
from g4hub_connectors.testing.woocommerce._render import (
    Site,
    render_product,
    render_variation,
)
from g4hub_connectors.testing.woocommerce._wp import (
    currency_body,
    invalid_params,
    system_status_body,
    validate_collection,
    wp_body,
    wp_encode,
    wp_error,
)
from g4hub_connectors.testing.woocommerce._write_routes import WriteRoutes

if TYPE_CHECKING:
    from g4hub_connectors.testing.woocommerce.store import FakeWooCommerceStore

__all__ = ["Handlers", "Key"]

_PRODUCTS = re.compile(r"^products$")
_BATCH = re.compile(r"^products/batch$")
_PRODUCT = re.compile(r"^products/(\d+)$")
_VARIATIONS = re.compile(r"^products/(\d+)/variations$")
_VARIATION = re.compile(r"^products/(\d+)/variations/(\d+)$")
_ALL_VARIATIONS = re.compile(r"^variations$")
_SYSTEM_STATUS = re.compile(r"^system_status$")
_CURRENCY = re.compile(r"^data/currencies/current$")
_CACHE_BUDGET = 64 * 2**20


def _wall_clock(value: str | None) -> datetime | None:
    # WP_Date_Query compares the date as written; offsets in the string are not applied.
    if value is None:
        return None
    return datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=None, microsecond=0)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


class Handlers(WriteRoutes):
    """Routes a wc/vN request (path after the namespace) to its handler."""

    def __init__(self, store: FakeWooCommerceStore) -> None:
        self.store = store
        self.catalog = store.catalog
        self._cache: dict[tuple[int, Site], bytes] = {}
        self._cache_version = -1
        self._cache_bytes = 0
        self._ordered: tuple[list[int], str, list[int]] | None = None

    def route(
        self, request: Request, path: str, key: Key | None, get: dict[str, Any], site: Site
    ) -> Response:
        method = request.method
        path = path.strip("/")
        handlers: list[tuple[re.Pattern[str], Sequence[str], Callable[..., Response]]] = [
            (_PRODUCTS, READS, self._list_products),
            (_BATCH, WRITES, self._batch),
            (_PRODUCT, READS, self._get_product),
            (_PRODUCT, ("PUT", "PATCH", "POST"), self._update_product),
            (_VARIATIONS, READS, self._list_variations),
            (_VARIATION, READS, self._get_variation),
            (_VARIATION, ("PUT", "PATCH", "POST"), self._update_variation),
            *self._variations_route(),
            (_SYSTEM_STATUS, READS, self._system_status),
            (_CURRENCY, READS, self._currency),
        ]
        for pattern, methods, handler in handlers:
            match = pattern.match(path)
            if match and method in methods:
                return handler(request, key, get, site, *(int(g) for g in match.groups()))
        return wp_error(
            "rest_no_route", "No route was found matching the URL and request method.", 404
        )

    # -- collections ----------------------------------------------------------------------------

    def _paged(
        self,
        request: Request,
        site: Site,
        route: str,
        items: Sequence[Any],
        page: int,
        per_page: int,
        render: Callable[[Any], dict[str, Any]],
        encoded: Callable[[Any], bytes] | None = None,
        overlap: int = 0,
    ) -> Response:
        total = len(items)
        pages = math.ceil(total / per_page)
        # Past the last page WooCommerce answers an empty list, not an error.
        chosen = page_slice(items, page, per_page, overlap)
        namespace = request.param("rest_route") or request.path
        version = re.search(r"wc/v\d+", namespace)
        base = f"{site.rest_root}/{version.group(0) if version else 'wc/v3'}/{route}"
        # add_query_arg() copies every query parameter into the links, credentials included.
        kept = [(k, v) for k, v in request.query if k not in ("page", "rest_route")]
        joiner = "&" if "?" in base else "?"
        links = []
        if page > 1:
            links.append(
                f'<{base}{joiner}{urlencode([*kept, ("page", min(page - 1, pages))])}>; rel="prev"'
            )
        if pages > page:
            links.append(f'<{base}{joiner}{urlencode([*kept, ("page", page + 1)])}>; rel="next"')
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
        if links:
            headers.append(("Link", ", ".join(links)))
        headers = rewrite_headers(headers, self.store.collection_headers)
        if encoded is not None and not request.param("_fields"):
            return wp_body(b"[" + b",".join(map(encoded, chosen)) + b"]", headers=headers)
        return self.respond(request, [render(item) for item in chosen], headers=headers)

    def _list_products(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site
    ) -> Response:
        args, problems = validate_collection(get)
        if problems:
            return invalid_params(problems)
        if not can(key, "read_private_products"):
            return denied(key, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        offset = None if args["dates_are_gmt"] else self.store.utc_offset
        indexes = self.catalog.listing(
            status=args["status"],
            orderby=args["orderby"],
            order=args["order"],
            modified_after=_wall_clock(args["modified_after"]),
            modified_before=_wall_clock(args["modified_before"]),
            local_offset=offset,
        )
        return self._paged(
            request, site, "products", self._plugin_order(indexes), args["page"],
            args["per_page"], lambda index: render_product(self.catalog.get(index), site),
            partial(self._encoded_product, site=site), overlap=self.store.page_overlap,
        )  # fmt: skip

    def _plugin_order(self, indexes: list[int]) -> list[int]:
        # A listing of 10,000 is re-ordered once, not once per page.
        mode = self.store.listing_order
        if self._ordered is not None and self._ordered[0] is indexes and self._ordered[1] == mode:
            return self._ordered[2]
        ordered = forced_order(indexes, mode, self.catalog.seed)
        self._ordered = (indexes, mode, ordered)
        return ordered

    def _list_variations(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site, product_id: int
    ) -> Response:
        args, problems = validate_collection(get)
        if problems:
            return invalid_params(problems)
        if not can(key, "read_private_products"):
            return denied(key, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        index = self.catalog.index_of(product_id)
        record = self.catalog.get(index) if index is not None else None
        pairs: list[tuple[int, SeedVariant]] = (
            list(zip(record.variation_ids, record.seed.variants, strict=True)) if record else []
        )
        if args["order"] == "desc":
            pairs.reverse()
        route = f"products/{product_id}/variations"
        return self._paged(
            request, site, route, pairs, args["page"], args["per_page"],
            lambda pair: render_variation(record, pair[1], pair[0], site),  # type: ignore[arg-type]
        )  # fmt: skip

    def _variations_route(
        self,
    ) -> list[tuple[re.Pattern[str], Sequence[str], Callable[..., Response]]]:
        # `GET /wc/v3/variations` came with WooCommerce 10.3 (woocommerce/woocommerce#60727);
        # older stores answer `rest_no_route`.
        if _version(self.store.wc_version) < (10, 3):
            return []
        return [(_ALL_VARIATIONS, READS, self._list_all_variations)]

    def _list_all_variations(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site
    ) -> Response:
        """Every variation of the store, across products, by ascending id; `modified_after`
        filters on the variation's own `date_modified`, each item names its `parent_id`."""
        args, problems = validate_collection(get)
        if problems:
            return invalid_params(problems)
        if not can(key, "read_private_products"):
            return denied(key, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        after = _wall_clock(args["modified_after"])
        if after is not None and not args["dates_are_gmt"]:
            after -= self.store.utc_offset
        pairs = self.catalog.variations_modified_after(after)
        if args["order"] == "desc":
            pairs.reverse()

        def render(pair: tuple[int, int]) -> dict[str, Any]:
            record = self.catalog.get(pair[0])
            variant = self.catalog.variation(record, pair[1])
            assert variant is not None
            return render_variation(record, variant, pair[1], site)

        return self._paged(
            request, site, "variations", pairs, args["page"], args["per_page"], render
        )

    # -- products -------------------------------------------------------------------------------

    def _encoded_product(self, index: int, site: Site) -> bytes:
        """The product's JSON, kept (within a memory budget) so that reading a catalog again,
        as benchmarks do, measures the client rather than the fake's rendering."""
        if self._cache_version != self.catalog.version:
            self._cache.clear()
            self._cache_version, self._cache_bytes = self.catalog.version, 0
        body = self._cache.get((index, site))
        if body is None:
            body = wp_encode(render_product(self.catalog.get(index), site))
            if self._cache_bytes + len(body) <= _CACHE_BUDGET:
                self._cache[(index, site)] = body
                self._cache_bytes += len(body)
        return body

    def _get_product(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site, product_id: int
    ) -> Response:
        found = self._record(product_id)
        if found is None:
            return wp_error("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        if not can(key, "read_private_products"):
            return denied(
                key, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."
            )
        if request.param("_fields"):
            return self.respond(request, render_product(found[1], site))
        return wp_body(self._encoded_product(found[0], site))

    # -- variations -----------------------------------------------------------------------------

    def _get_variation(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site,
        product_id: int, variation_id: int,
    ) -> Response:  # fmt: skip
        found = self._variation(product_id, variation_id)
        if found is None:
            return wp_error("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
        if not can(key, "read_private_products"):
            return denied(
                key, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."
            )
        return self.respond(request, render_variation(found[1], found[2], variation_id, site))

    # -- system status --------------------------------------------------------------------------

    def _system_status(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site
    ) -> Response:
        if not can(key, "manage_woocommerce"):
            return denied(key, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        store = self.store
        body = system_status_body(
            home=site.home,
            wc_version=store.wc_version,
            wp_version=store.wp_version,
            currency=store.currency,
            https=request.scheme == "https",
            product_count=self.catalog.size,
        )
        return self.respond(request, body)

    def _currency(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site
    ) -> Response:
        # WC_REST_Data_Controller: settings are read with manage_woocommerce, as the status is.
        if not can(key, "manage_woocommerce"):
            return denied(
                key, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."
            )
        return self.respond(request, currency_body(self.store.currency, site.rest_root))
