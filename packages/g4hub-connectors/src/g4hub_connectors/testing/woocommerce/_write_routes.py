"""The fake WooCommerce store's write routes (product and variation updates, batch) and what the
read routes share with them: `_fields` filtering, finding records, the store's clock.

Updates pass through the plugins the store simulates (`ignored_update_fields`) before WooCommerce's
own rules (`_edits.py`) apply them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from g4hub_connectors.testing._asgi import Request, Response
from g4hub_connectors.testing._catalog import SeedVariant
from g4hub_connectors.testing.woocommerce._edits import (
    apply_product,
    apply_variation,
    as_int,
    update_problems,
)
from g4hub_connectors.testing.woocommerce._keys import Key, can, denied
from g4hub_connectors.testing.woocommerce._plugins import without_ignored
from g4hub_connectors.testing.woocommerce._render import (
    Site,
    WooProduct,
    render_product,
    render_variation,
)
from g4hub_connectors.testing.woocommerce._wp import (
    filter_fields,
    invalid_params,
    wp_error,
    wp_json,
)

if TYPE_CHECKING:
    from g4hub_connectors.testing.woocommerce._catalog import Catalog
    from g4hub_connectors.testing.woocommerce.store import FakeWooCommerceStore

__all__ = ["WriteRoutes"]

_BATCH_LIMIT = 100


class WriteRoutes:
    """Base of the store's route handlers: the write routes and the helpers all routes use."""

    store: FakeWooCommerceStore
    catalog: Catalog

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

    def _record(self, product_id: int) -> tuple[int, WooProduct] | None:
        index = self.catalog.index_of(product_id)
        return None if index is None else (index, self.catalog.get(index))

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
        if found is not None and not can(key, "edit_products"):
            return denied(
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
        if not can(key, "edit_products"):
            return denied(
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

    def _variation(
        self, product_id: int, variation_id: int
    ) -> tuple[int, WooProduct, SeedVariant] | None:
        found = self._record(product_id)
        if found is None:
            return None
        variant = self.catalog.variation(found[1], variation_id)
        return None if variant is None else (found[0], found[1], variant)

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
        if not can(key, "edit_products"):
            return denied(
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

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.store.now(), UTC)


def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        data = request.json() if request.body else {}
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
