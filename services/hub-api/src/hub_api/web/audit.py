"""The audit trail in the dashboard: a store's, `/stores/<id>/audit` (every write the hub made or
tried at the store, newest first, filtered by product, field, result and who made it, paged by
cursor) and `/stores/<id>/audit/csv` (the same, every match, as a CSV file); and every store's,
`/changes` and `/changes/csv`, with the store as one more filter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from g4hub_core import InvalidInput, Unit
from hub_api.web.edits import FIELD_LABELS, RESULT_LABELS
from hub_api.web.rendering import PAGE_HEADERS, page
from hub_api.web.stores import parse_store_id

__all__ = ["ACTOR_KINDS", "AuditController", "AuditFilters", "ChangesController"]

ACTOR_KINDS = {"": "Anyone", "people": "People", "rules": "Rules"}
_PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilters:
    """The list's filters from the query string; an unknown value is no filter."""

    field: str = ""
    result: str = ""
    by: str = ""
    actor: str = ""
    product: str = ""
    store: str = ""
    """Every store's list only: a store id, checked by the page (another tenant's is a 404)."""

    @classmethod
    def read(cls, params: Any) -> AuditFilters:
        field = params.get("field") or ""
        result = params.get("result") or ""
        by = params.get("by") or ""
        return cls(
            field=field if field in FIELD_LABELS else "",
            result=result if result in RESULT_LABELS else "",
            by=by if by in ACTOR_KINDS else "",
            actor=(params.get("actor") or "").strip()[:320],
            product=(params.get("product") or "")[:100],
            store=(params.get("store") or "").strip()[:36],
        )

    def arguments(self) -> dict[str, Any]:
        """As `AuditTrail.page` and `.csv` take them."""
        return {
            "field": self.field or None,
            "result": self.result or None,
            "actor": self.actor or None,
            "by_rule": None if not self.by else self.by == "rules",
            "product_id": self.product or None,
        }

    def query(self) -> str:
        pairs = {
            "store": self.store,
            "product": self.product,
            "field": self.field,
            "result": self.result,
            "by": self.by,
            "actor": self.actor,
        }
        return urlencode({key: value for key, value in pairs.items() if value})


class AuditController(Controller):
    path = "/stores/{store_id:str}/audit"
    include_in_schema = False

    @get("/")
    async def audit(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit], store_id: FromPath[str]
    ) -> Template:
        sid = parse_store_id(store_id)
        store = await unit.stores.get(sid)
        return page("audit.html", store=store, **await _trail(request, unit, sid))

    @get("/csv")
    async def csv(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit], store_id: FromPath[str]
    ) -> Response[str]:
        sid = parse_store_id(store_id)
        store = await unit.stores.get(sid)
        return await _csv(request, unit, sid, f"audit-{store.id}.csv")


class ChangesController(Controller):
    path = "/changes"
    include_in_schema = False

    @get("/")
    async def changes(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit]
    ) -> Template:
        store_id = await _store_filter(unit, AuditFilters.read(request.query_params))
        stores = await unit.stores.list()
        return page(
            "changes.html",
            stores=stores,
            store_names={store.id: store.name for store in stores},
            **await _trail(request, unit, store_id),
        )

    @get("/csv")
    async def csv(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit]
    ) -> Response[str]:
        store_id = await _store_filter(unit, AuditFilters.read(request.query_params))
        return await _csv(request, unit, store_id, "changes.csv")


async def _trail(
    request: Request[Any, Any, Any], unit: Unit, store_id: uuid.UUID | None
) -> dict[str, Any]:
    """What both lists show: a page of the trail (of one store, or of every store with `None`)
    by the request's filters and cursor (an unreadable cursor: the first page and why), with
    the products' and rules' names and the filters' labels."""
    filters = AuditFilters.read(request.query_params)
    cursor = (request.query_params.get("cursor") or "")[:100] or None
    error = None
    try:
        trail = await unit.audit.page(
            store_id=store_id, cursor=cursor, limit=_PER_PAGE, **filters.arguments()
        )
    except InvalidInput as exc:
        error, cursor = exc.message, None
        trail = await unit.audit.page(store_id=store_id, limit=_PER_PAGE, **filters.arguments())
    return {
        "entries": trail.items,
        "titles": await unit.audit.titles(
            (e.store_id, e.product_id, e.variant_id) for e in trail.items
        ),
        "rule_names": {rule.id: rule.name for rule in await unit.rules.all()},
        "next_cursor": trail.next_cursor,
        "first_page": cursor is not None,
        "filters": filters,
        "error": error,
        "FIELD_LABELS": FIELD_LABELS,
        "RESULT_LABELS": RESULT_LABELS,
        "ACTOR_KINDS": ACTOR_KINDS,
    }


async def _csv(
    request: Request[Any, Any, Any], unit: Unit, store_id: uuid.UUID | None, name: str
) -> Response[str]:
    """Every match of the request's filters as a CSV file called `name`."""
    filters = AuditFilters.read(request.query_params)
    # Read whole inside the request's unit: a stream would read after it has closed.
    chunks = unit.audit.csv(store_id=store_id, **filters.arguments())
    text = "".join([chunk async for chunk in chunks])
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={**PAGE_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _store_filter(unit: Unit, filters: AuditFilters) -> uuid.UUID | None:
    """The store the list is narrowed to: `None` for every store; another tenant's or an
    unknown store is a 404, as on the store's own pages."""
    if not filters.store:
        return None
    sid = parse_store_id(filters.store)
    await unit.stores.get(sid)
    return sid
