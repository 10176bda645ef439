"""`/stores` (a card per store) and one store's page, `/stores/<id>`: its info, connection test,
sync (with `/stores/<id>/sync-status` for the page's script to poll) and products."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from g4hub_connectors.admin_links import product_admin_url
from g4hub_core import Hub, InvalidInput, NotFound, Unit
from hub_api.web.bulk import BULK_FIELDS, BULK_OPERATIONS, bulk_notice
from hub_api.web.catalog import (
    HISTORY_PER_PAGE,
    PAGE_SIZES,
    SORT_LABELS,
    STATUS_LABELS,
    STOCK_LABELS,
    Listing,
)
from hub_api.web.edits import FIELD_LABELS, RESULT_LABELS, edit_result, sale_prices, version_of
from hub_api.web.forms import read_form
from hub_api.web.rendering import PAGE_HEADERS, page
from hub_api.web.session import local_path
from hub_api.web.sync_status import sync_state

__all__ = ["StoresController", "parse_store_id"]

_MAX_QUERY = 200


def parse_store_id(text: str) -> uuid.UUID:
    """The id in a store page's path; a malformed one is the same 404 as an unknown one."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound("No such store.", code="store_not_found") from None


class StoresController(Controller):
    path = "/stores"
    include_in_schema = False

    @get("/")
    async def list_stores(self, unit: NamedDependency[Unit]) -> Template:
        # The overview's store lines carry the health (syncing, last sync failed, …) cards show.
        overview = await unit.dashboard.overview(recent=0)
        return page("stores.html", stores=overview.stores)

    @get("/{store_id:str}")
    async def store(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit], store_id: FromPath[str]
    ) -> Template:
        sid = parse_store_id(store_id)
        store = await unit.stores.get(sid)
        health = (await unit.dashboard.health(sid))[sid]
        active = await unit.sync.active(sid)
        listing = Listing.read(dict(request.query_params), _MAX_QUERY)
        # The history has no offset of its own: one more row than the page says whether
        # another page follows.
        shown = listing.history_page * HISTORY_PER_PAGE
        history = await unit.sync.history(sid, limit=min(shown + 1, 500))
        search_error = None
        try:
            products = await unit.catalog.list_products(
                sid,
                page=listing.page,
                per_page=listing.per_page,
                q=listing.q or None,
                sort=listing.sort,
                status=listing.status or None,
                stock_status=listing.stock or None,
            )
        except InvalidInput as exc:
            search_error = exc.message
            products = await unit.catalog.list_products(sid, page=1, per_page=listing.per_page)
        return page(
            "store.html",
            store=store,
            health=health,
            realtime=await unit.webhooks.status(sid),
            sync=sync_state(active, active or (history[0] if history else None)),
            history=history[shown - HISTORY_PER_PAGE : shown],
            history_more=len(history) > shown,
            products=products,
            pages=max(1, -(-products.total // listing.per_page)),
            listing=listing,
            search_error=search_error,
            currency=store.store_info.get("currency"),
            SORT_LABELS=SORT_LABELS,
            STATUS_LABELS=STATUS_LABELS,
            STOCK_LABELS=STOCK_LABELS,
            PAGE_SIZES=PAGE_SIZES,
            edit=await edit_result(unit, sid, request.query_params),
            on_sale=await sale_prices(unit, sid, products.items),
            bulk_error=bulk_notice(request.query_params),
            version_of=version_of,
            BULK_FIELDS=BULK_FIELDS,
            BULK_OPERATIONS=BULK_OPERATIONS,
        )

    # The id rides in the query: a product id may hold slashes (`gid://shopify/Product/1`).
    @get("/{store_id:str}/product")
    async def product(
        self,
        request: Request[Any, Any, Any],
        unit: NamedDependency[Unit],
        store_id: FromPath[str],
        product_id: Annotated[str, QueryParameter(name="id")] = "",
    ) -> Template:
        sid = parse_store_id(store_id)
        store = await unit.stores.get(sid)
        product = await unit.catalog.get_product(sid, product_id)
        variants = [v for v in product.data.get("variants") or [] if isinstance(v, dict)]
        return page(
            "product.html",
            store=store,
            product=product,
            variants=variants,
            variant_names={
                str(v["id"]): v.get("title") or v.get("name") for v in variants if v.get("id")
            },
            images=[i for i in (product.data.get("images") or []) if isinstance(i, str)],
            admin_url=product_admin_url(store.platform, store.store_url, product_id),
            currency=product.currency or store.store_info.get("currency"),
            edit=await edit_result(unit, sid, request.query_params),
            version=version_of(product),
            writes=(await unit.audit.page(store_id=sid, product_id=product_id, limit=50)).items,
            rule_names={rule.id: rule.name for rule in await unit.rules.all()},
            FIELD_LABELS=FIELD_LABELS,
            RESULT_LABELS=RESULT_LABELS,
        )

    @get("/{store_id:str}/sync-status")
    async def sync_status(
        self, unit: NamedDependency[Unit], store_id: FromPath[str]
    ) -> Response[dict[str, Any]]:
        sid = parse_store_id(store_id)
        active = await unit.sync.active(sid)
        latest = active or next(iter(await unit.sync.history(sid, limit=1)), None)
        return Response(sync_state(active, latest), headers={"Cache-Control": "no-store"})

    @post("/{store_id:str}/test")
    async def test(self, unit: NamedDependency[Unit], store_id: FromPath[str]) -> Redirect:
        sid = parse_store_id(store_id)
        await unit.stores.test(sid)
        return Redirect(f"/stores/{sid}?notice=tested", status_code=HTTP_303_SEE_OTHER)

    @post("/{store_id:str}/webhooks/subscribe")
    async def subscribe(
        self, unit: NamedDependency[Unit], hub: NamedDependency[Hub], store_id: FromPath[str]
    ) -> Redirect:
        """Subscribe to the store's changes again (what the store disabled or removed is
        re-enabled or made again); the page then shows the real-time status reached."""
        sid = parse_store_id(store_id)
        await unit.stores.get(sid)
        await hub.webhooks.subscribe(unit.tenant_id, sid)
        return Redirect(f"/stores/{sid}?notice=subscribed", status_code=HTTP_303_SEE_OTHER)

    @post("/{store_id:str}/sync")
    async def sync(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit], store_id: FromPath[str]
    ) -> Redirect:
        sid = parse_store_id(store_id)
        await unit.sync.request(sid, trigger="manual")
        form = await read_form(request)
        target = local_path(form.text("next"), default=f"/stores/{sid}")
        separator = "&" if "?" in target else "?"
        return Redirect(
            f"{target}{separator}notice=sync_queued",
            status_code=HTTP_303_SEE_OTHER,
            headers=PAGE_HEADERS,
        )
