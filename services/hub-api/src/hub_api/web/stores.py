"""`/stores` (a card per store) and one store's page, `/stores/<id>`: its info, connection test,
sync (with `/stores/<id>/sync-status` for the page's script to poll) and products."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from g4hub_core import InvalidInput, NotFound, Unit
from hub_api.web.forms import read_form
from hub_api.web.rendering import PAGE_HEADERS, page
from hub_api.web.session import local_path
from hub_api.web.sync_status import sync_state

__all__ = ["PER_PAGE", "StoresController", "parse_store_id"]

PER_PAGE = 20
_MAX_QUERY = 200


def parse_store_id(text: str) -> uuid.UUID:
    """The id in a store page's path; a malformed one is the same 404 as an unknown one."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound("No such store.", code="store_not_found") from None


def _page_number(text: str) -> int:
    try:
        return min(max(int(text), 1), 1_000_000)
    except ValueError:
        return 1


class StoresController(Controller):
    path = "/stores"
    include_in_schema = False

    @get("/")
    async def list_stores(self, unit: NamedDependency[Unit]) -> Template:
        # The overview's store lines carry the light (syncing, warning, …) the cards show.
        overview = await unit.dashboard.overview(recent=0)
        return page("stores.html", stores=overview.stores)

    @get("/{store_id:str}")
    async def store(
        self,
        unit: NamedDependency[Unit],
        store_id: FromPath[str],
        q: FromQuery[str] = "",
        page_number: Annotated[str, QueryParameter(name="page")] = "1",
    ) -> Template:
        sid = parse_store_id(store_id)
        store = await unit.stores.get(sid)
        active = await unit.sync.active(sid)
        history = await unit.sync.history(sid, limit=10)
        query = q.strip()[:_MAX_QUERY]
        number = _page_number(page_number)
        search_error = None
        try:
            products = await unit.catalog.list_products(
                sid, page=number, per_page=PER_PAGE, q=query or None
            )
        except InvalidInput as exc:
            search_error = exc.message
            products = await unit.catalog.list_products(sid, page=1, per_page=PER_PAGE)
        return page(
            "store.html",
            store=store,
            sync=sync_state(active, active or (history[0] if history else None)),
            history=history,
            products=products,
            pages=max(1, -(-products.total // PER_PAGE)),
            q=query,
            search_error=search_error,
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
