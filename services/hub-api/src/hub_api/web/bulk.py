"""Bulk changes from the store's products table, as plain forms (no script needed):

- `POST /stores/<id>/products/bulk`: the ticked rows' price or stock set, increased or decreased
  by an amount or a percentage, run as a bulk job (each item carrying the value it started from,
  so a change at the store in between is a conflict, never overwritten);
- `/stores/<id>/jobs/<job>`: the job's progress (the page refreshes itself while it runs) and
  each item's result: applied, conflict, ignored by the store, refused, with the store's reason.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from g4hub_connectors import Product
from g4hub_core import NotFound, Unit
from g4hub_core.writes import MAX_BULK_ITEMS, BulkItem, ExpectedValues
from g4hub_core.writes.service import target_values
from hub_api.web.edits import (
    FIELD_LABELS,
    RESULT_LABELS,
    back_to,
    form_text,
    parse_decimal,
    parse_store_id,
)
from hub_api.web.rendering import PAGE_HEADERS, page
from hub_api.web.session import Viewer, local_path

__all__ = ["BULK_FIELDS", "BULK_OPERATIONS", "BulkController", "bulk_notice"]

BULK_FIELDS = {"price": "Price", "sale_price": "Sale price", "stock_quantity": "Stock"}
"""`price` is the regular price (a product on sale keeps its sale price); a relative change of
`sale_price` leaves out the products not on sale."""
BULK_OPERATIONS = {
    "set": "Set to",
    "increase": "Increase by",
    "decrease": "Decrease by",
    "percent_up": "Increase by percent",
    "percent_down": "Decrease by percent",
}

_BULK_NOTICES = {
    "none": "Select at least one product for the bulk change.",
    "invalid": "Enter the amount as a number (stock: a whole number), not below zero.",
    "too_many": f"A bulk change holds at most {MAX_BULK_ITEMS:,} changes.",
}
_NAMES_SHOWN = 200


class BulkController(Controller):
    path = "/stores/{store_id:str}"
    include_in_schema = False

    @post("/products/bulk")
    async def bulk(
        self,
        request: Request[Any, Any, Any],
        unit: NamedDependency[Unit],
        viewer: NamedDependency[Viewer],
        store_id: FromPath[str],
    ) -> Redirect:
        sid = parse_store_id(store_id)
        await unit.stores.get(sid)
        form = await request.form()
        target = local_path(form_text(form, "next", 2000), default=f"/stores/{sid}")
        selected = list(
            dict.fromkeys(v[:100] for v in form.getall("select", []) if isinstance(v, str))
        )
        field_name = form_text(form, "field")
        operation = form_text(form, "operation")
        if not selected:
            return back_to(target, bulk="none")
        if len(selected) > MAX_BULK_ITEMS:
            return back_to(target, bulk="too_many")
        try:
            amount = parse_decimal(form_text(form, "amount"))
            if amount < 0 or field_name not in BULK_FIELDS or operation not in BULK_OPERATIONS:
                raise ValueError(amount)
            if (
                field_name == "stock_quantity"
                and not operation.startswith("percent")
                and amount != amount.to_integral_value()
            ):
                raise ValueError(amount)
        except (ArithmeticError, ValueError):
            return back_to(target, bulk="invalid")
        items: list[BulkItem] = []
        skipped = 0
        for product_id in selected:
            try:
                detail = await unit.catalog.get_product(sid, product_id)
            except NotFound:
                skipped += 1
                continue
            product = Product.model_validate(detail.data)
            targets: list[str | None] = (
                [v.id for v in product.variants] if len(product.variants) > 1 else [None]
            )
            for variant_id in targets:
                current = target_values(product, variant_id)[field_name]
                new = _apply(field_name, operation, amount, current)
                if new is None:
                    skipped += 1
                    continue
                expected = ExpectedValues(**{field_name: current}) if current is not None else None
                items.append(
                    BulkItem(
                        product_id=product_id,
                        variant_id=variant_id,
                        expected=expected,
                        **{field_name: new},
                    )
                )
        if not items:
            return back_to(target, bulk="nothing", skipped=str(skipped))
        if len(items) > MAX_BULK_ITEMS:
            return back_to(target, bulk="too_many")
        job = await unit.bulk_writes.request(sid, items, actor=viewer.email)
        query = f"?skipped={skipped}" if skipped else ""
        return Redirect(
            f"/stores/{sid}/jobs/{job.id}{query}",
            status_code=HTTP_303_SEE_OTHER,
            headers=PAGE_HEADERS,
        )

    @get("/jobs/{job_id:str}")
    async def job(
        self,
        request: Request[Any, Any, Any],
        unit: NamedDependency[Unit],
        store_id: FromPath[str],
        job_id: FromPath[str],
    ) -> Template:
        sid = parse_store_id(store_id)
        store = await unit.stores.get(sid)
        try:
            jid = uuid.UUID(job_id)
        except ValueError:
            raise NotFound("No such job.", code="not_found") from None
        job = await unit.bulk_writes.get(jid)
        if job.store_id != sid:
            raise NotFound("No such job.", code="not_found")
        names: dict[str, str] = {}
        for result in job.results[:_NAMES_SHOWN]:
            product_id = str(result.get("product_id", ""))
            if product_id and product_id not in names:
                try:
                    names[product_id] = (await unit.catalog.get_product(sid, product_id)).name
                except NotFound:
                    names[product_id] = ""
        try:
            skipped = max(int(request.query_params.get("skipped") or 0), 0)
        except ValueError:
            skipped = 0
        running = job.status in ("queued", "running")
        return page(
            "write_job.html",
            store=store,
            job=job,
            running=running,
            names=names,
            skipped=skipped,
            FIELD_LABELS=FIELD_LABELS,
            RESULT_LABELS=RESULT_LABELS,
        )


def bulk_notice(params: Any) -> str | None:
    """The message a refused bulk form asks the store page to show (`?bulk=<key>`)."""
    key = params.get("bulk") or ""
    if key == "nothing":
        return (
            "None of the selected products could take that change (a relative change needs a "
            "current price or a tracked stock); nothing was sent."
        )
    return _BULK_NOTICES.get(key)


def _apply(name: str, operation: str, amount: Decimal, current: Any) -> Any:
    """The new value of `name`, or `None` when a relative change has nothing to start from."""
    if operation == "set":
        base = Decimal(0)
    elif current is None:
        return None
    else:
        base = Decimal(current)
    if operation == "set":
        value = amount
    elif operation == "increase":
        value = base + amount
    elif operation == "decrease":
        value = base - amount
    elif operation == "percent_up":
        value = base * (100 + amount) / 100
    else:
        value = base * (100 - amount) / 100
    value = max(value, Decimal(0))
    if name == "stock_quantity":
        return int(value.to_integral_value(rounding=ROUND_HALF_UP))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
