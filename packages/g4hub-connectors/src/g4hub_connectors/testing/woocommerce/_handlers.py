"""The fake WooCommerce store's wc/vN routes: products, variations, batch, system status, the
store currency.

Each route runs in WordPress's order: the key's read/write permission (checked by the store
before routing), then parameter validation (`rest_invalid_param`), then the route's permission
callback (401 for a guest, 403 for a user lacking the capability), then the handler.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from g4hub_connectors.testing._asgi import Request, Response
from g4hub_connectors.testing._catalog import SeedVariant
from g4hub_connectors.testing.woocommerce._edits import (
    apply_product,
    apply_variation,
    as_int,
    update_problems,
)
from g4hub_connectors.testing.woocommerce._plugins import (
    forced_order,
    page_slice,
    rewrite_headers,
    without_ignored,
)
from g4hub_connectors.testing.woocommerce._render import (
    Site,
    WooProduct,
    render_product,
    render_variation,
)
from g4hub_connectors.testing.woocommerce._wp import (
    currency_body,
    filter_fields,
    invalid_params,
    system_status_body,
    validate_collection,
    wp_body,
    wp_encode,
    wp_error,
    wp_json,
)

if TYPE_CHECKING:
    from g4hub_connectors.testing.woocommerce.store import FakeWooCommerceStore

__all__ = ["Handlers", "Key"]

_PRODUCTS = re.compile(r"^products$")
_BATCH = re.compile(r"^products/batch$")
_PRODUCT = re.compile(r"^products/(\d+)$")
_VARIATIONS = re.compile(r"^products/(\d+)/variations$")
_VARIATION = re.compile(r"^products/(\d+)/variations/(\d+)$")
_SYSTEM_STATUS = re.compile(r"^system_status$")
_CURRENCY = re.compile(r"^data/currencies/current$")
_READS = ("GET", "HEAD")
_WRITES = ("POST", "PUT", "PATCH")
_BATCH_LIMIT = 100
_CACHE_BUDGET = 64 * 2**20


@dataclass(frozen=True)
class Key:
    """A row of `woocommerce_api_keys`, with the capabilities of the user it belongs to."""

    key_id: int
    secret: str
    permissions: str
    capabilities: frozenset[str]

    def check_method(self, method: str) -> Response | None:
        """`check_permissions()`: a read-only key may not write, a write-only key not read."""
        if method in _READS and self.permissions not in ("read", "read_write"):
            return _auth_error("The API key provided does not have read permissions.")
        if method in (*_WRITES, "DELETE") and self.permissions not in ("write", "read_write"):
            return _auth_error("The API key provided does not have write permissions.")
        if method not in (*_READS, *_WRITES, "DELETE", "OPTIONS"):
            return _auth_error("Unknown request method.")
        return None


def _auth_error(message: str) -> Response:
    return wp_error("woocommerce_rest_authentication_error", message, 401)


def _denied(key: Key | None, code: str, message: str) -> Response:
    # rest_authorization_required_code(): 401 for a guest, 403 for a user without the right.
    return wp_error(code, message, 401 if key is None else 403)


def _can(key: Key | None, capability: str) -> bool:
    return key is not None and capability in key.capabilities


def _wall_clock(value: str | None) -> datetime | None:
    # WP_Date_Query compares the date as written; offsets in the string are not applied.
    if value is None:
        return None
    return datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=None, microsecond=0)


class Handlers:
    def __init__(self, store: FakeWooCommerceStore) -> None:
        self.store = store
        self.catalog = store.catalog
        self._cache: dict[tuple[int, Site], bytes] = {}
        self._cache_version = -1
        self._cache_bytes = 0
        self._ordered: tuple[list[int], str, list[int]] | None = None

    def respond(
        self,
        request: Request,
        body: Any,
        status: int = 200,
        headers: Sequence[tuple[str, str]] = (),
    ) -> Response:
        fields = request.param("_fields")
        if fields:
            body = (
                [filter_fields(item, fields) for item in body]
                if isinstance(body, list)
                else (filter_fields(body, fields))
            )
        return wp_json(body, status, headers)

    def route(
        self, request: Request, path: str, key: Key | None, get: dict[str, Any], site: Site
    ) -> Response:
        method = request.method
        path = path.strip("/")
        handlers: list[tuple[re.Pattern[str], Sequence[str], Callable[..., Response]]] = [
            (_PRODUCTS, _READS, self._list_products),
            (_BATCH, _WRITES, self._batch),
            (_PRODUCT, _READS, self._get_product),
            (_PRODUCT, ("PUT", "PATCH", "POST"), self._update_product),
            (_VARIATIONS, _READS, self._list_variations),
            (_VARIATION, _READS, self._get_variation),
            (_VARIATION, ("PUT", "PATCH", "POST"), self._update_variation),
            (_SYSTEM_STATUS, _READS, self._system_status),
            (_CURRENCY, _READS, self._currency),
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
        if not _can(key, "read_private_products"):
            return _denied(key, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
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
        if not _can(key, "read_private_products"):
            return _denied(key, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
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

    def _record(self, product_id: int) -> tuple[int, WooProduct] | None:
        index = self.catalog.index_of(product_id)
        return None if index is None else (index, self.catalog.get(index))

    def _get_product(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site, product_id: int
    ) -> Response:
        found = self._record(product_id)
        if found is None:
            return wp_error("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        if not _can(key, "read_private_products"):
            return _denied(
                key, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."
            )
        if request.param("_fields"):
            return self.respond(request, render_product(found[1], site))
        return wp_body(self._encoded_product(found[0], site))

    def _update_product(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site, product_id: int
    ) -> Response:
        body = _json_object(request)
        if body is None:
            return wp_error("rest_invalid_json", "Invalid JSON body passed.", 400)
        problems = update_problems(body, variation=False)
        if problems:
            return invalid_params(problems)
        found = self._record(product_id)
        if found is not None and not _can(key, "edit_products"):
            return _denied(
                key,
                "woocommerce_rest_cannot_edit",
                "Sorry, you are not allowed to edit this resource.",
            )
        if found is None:
            # update_item() answers 400, not 404, for an id that names nothing.
            return wp_error("woocommerce_rest_product_invalid_id", "Invalid ID.", 400)
        applied = without_ignored(body, self.store.ignored_update_fields)
        record = self.catalog.edit(found[0], partial(apply_product, body=applied), self._now())
        return self.respond(request, render_product(record, site))

    def _batch(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site
    ) -> Response:
        body = _json_object(request)
        if body is None:
            return wp_error("rest_invalid_json", "Invalid JSON body passed.", 400)
        groups = {name: body.get(name) or [] for name in ("create", "update", "delete")}
        if sum(len(items) for items in groups.values() if isinstance(items, list)) > _BATCH_LIMIT:
            return wp_error(
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {_BATCH_LIMIT} items for this request.",
                413,
            )
        if not _can(key, "edit_products"):
            return _denied(
                key,
                "woocommerce_rest_cannot_batch",
                "Sorry, you are not allowed to batch manipulate this resource.",
            )
        result: dict[str, list[Any]] = {"create": [], "update": [], "delete": []}
        invalid = {
            "code": "woocommerce_rest_product_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 400},
        }
        for _item in groups["create"]:
            result["create"].append(
                {
                    "id": 0,
                    "error": {
                        "code": "woocommerce_rest_cannot_create",
                        "message": "Not supported by the fake store.",
                        "data": {"status": 400},
                    },
                }
            )
        for item in groups["update"]:
            found = self._record(as_int(item.get("id")) or 0) if isinstance(item, dict) else None
            if (
                found is None
                or not isinstance(item, dict)
                or update_problems(item, variation=False)
            ):
                result["update"].append(
                    {"id": item.get("id") if isinstance(item, dict) else None, "error": invalid}
                )
                continue
            record = self.catalog.edit(found[0], partial(apply_product, body=item), self._now())
            result["update"].append(render_product(record, site))
        for product_id in groups["delete"]:
            found = self._record(as_int(product_id) or 0)
            if found is None:
                result["delete"].append({"id": product_id, "error": invalid})
                continue
            record = self.catalog.edit(
                found[0], lambda r: setattr(r, "status", "trash"), self._now()
            )
            result["delete"].append(render_product(record, site))
        return self.respond(request, result)

    # -- variations -----------------------------------------------------------------------------

    def _variation(
        self, product_id: int, variation_id: int
    ) -> tuple[int, WooProduct, SeedVariant] | None:
        found = self._record(product_id)
        if found is None:
            return None
        variant = self.catalog.variation(found[1], variation_id)
        return None if variant is None else (found[0], found[1], variant)

    def _get_variation(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site,
        product_id: int, variation_id: int,
    ) -> Response:  # fmt: skip
        found = self._variation(product_id, variation_id)
        if found is None:
            return wp_error("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
        if not _can(key, "read_private_products"):
            return _denied(
                key, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."
            )
        return self.respond(request, render_variation(found[1], found[2], variation_id, site))

    def _update_variation(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site,
        product_id: int, variation_id: int,
    ) -> Response:  # fmt: skip
        body = _json_object(request)
        if body is None:
            return wp_error("rest_invalid_json", "Invalid JSON body passed.", 400)
        problems = update_problems(body, variation=True)
        if problems:
            return invalid_params(problems)
        found = self._variation(product_id, variation_id)
        if found is None:
            return wp_error("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 400)
        if not _can(key, "edit_products"):
            return _denied(
                key,
                "woocommerce_rest_cannot_edit",
                "Sorry, you are not allowed to edit this resource.",
            )
        position = found[1].variation_ids.index(variation_id)
        applied = without_ignored(body, self.store.ignored_update_fields)
        record = self.catalog.edit(
            found[0], lambda r: apply_variation(r.seed.variants[position], applied), self._now()
        )
        return self.respond(
            request, render_variation(record, record.seed.variants[position], variation_id, site)
        )

    # -- system status --------------------------------------------------------------------------

    def _system_status(
        self, request: Request, key: Key | None, get: dict[str, Any], site: Site
    ) -> Response:
        if not _can(key, "manage_woocommerce"):
            return _denied(key, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
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
        if not _can(key, "manage_woocommerce"):
            return _denied(
                key, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."
            )
        return self.respond(request, currency_body(self.store.currency, site.rest_root))

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.store.now(), UTC)


def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        data = request.json() if request.body else {}
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
