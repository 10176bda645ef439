"""`/skus`: the tenant's catalog keyed by SKU, each store's product (price, stock) side by side,
filtered by store, by "differs" and by "missing in store X", paged by cursor; with the conflict
report's counts (duplicates inside one store, products without a SKU, disagreements)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from g4hub_core import InvalidInput, NotFound, Unit
from g4hub_core.skus import MAX_SKU_PAGE
from hub_api.web.catalog import page_number
from hub_api.web.rendering import page

__all__ = ["SkuPageController"]

_PER_PAGE = 50


def _store_filter(text: str | None) -> uuid.UUID | None:
    """A store id from the query; a malformed one is the same 404 as another tenant's."""
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound("No such store.", code="store_not_found") from None


class SkuPageController(Controller):
    path = "/skus"
    include_in_schema = False

    @get("/")
    async def skus(self, request: Request[Any, Any, Any], unit: NamedDependency[Unit]) -> Template:
        params = request.query_params
        q = (params.get("q") or "").strip()[:200]
        store_id = _store_filter(params.get("store"))
        missing_in = _store_filter(params.get("missing_in"))
        differs = params.get("differs") in ("1", "on", "true")
        cursor = (params.get("cursor") or "")[:300] or None
        per_page = min(page_number(params.get("per_page")), MAX_SKU_PAGE)
        if not params.get("per_page"):
            per_page = _PER_PAGE
        stores = await unit.stores.list()
        error = None
        try:
            skus = await unit.skus.page(
                cursor=cursor,
                limit=per_page,
                q=q or None,
                store_id=store_id,
                missing_in=missing_in,
                differs=differs,
            )
        except InvalidInput as exc:
            error = exc.message
            skus = await unit.skus.page(limit=per_page)
        filters = {
            "q": q,
            "store": str(store_id) if store_id else "",
            "missing_in": str(missing_in) if missing_in else "",
            "differs": "1" if differs else "",
            "per_page": "" if per_page == _PER_PAGE else str(per_page),
        }
        kept = urlencode({key: value for key, value in filters.items() if value})
        rows = []
        for row in skus.items:
            by_store: dict[uuid.UUID, list[Any]] = {}
            for listing in row.listings:
                by_store.setdefault(listing.store_id, []).append(listing)
            rows.append({"row": row, "by_store": by_store})
        return page(
            "skus.html",
            stores=stores,
            names={store.id: store.name for store in stores},
            rows=rows,
            next_cursor=skus.next_cursor,
            first_page=cursor is not None,
            filters=filters,
            kept=kept,
            filtered=any(value for key, value in filters.items() if key != "per_page"),
            error=error,
            report=await unit.skus.conflicts(),
        )
