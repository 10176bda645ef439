"""Changing products from the dashboard, as plain forms (no script needed):

- `POST /stores/<id>/products/edit`: one product's (or variant's) price, sale price, stock and
  stock tracking, from the store's products table or the product's page. The form carries the
  values the page showed and the row's version: a change in the hub since (a sync) or at the
  store since the hub's last read is refused as a conflict, never written over. The answer is a
  redirect back to the page, which then says how it ended (`edit_result`), from the audit trail.
- `POST /stores/<id>/products/bulk`: the selected rows' price or stock set, increased or
  decreased by an amount or a percentage, run as a bulk job; then `/stores/<id>/jobs/<job>`
  shows its progress (refreshing itself) and each item's result.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import pydantic
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from g4hub_connectors import Product
from g4hub_core import InvalidInput, NotFound, Unit
from g4hub_core.catalog.schemas import ProductDetail
from g4hub_core.writes import MAX_BULK_ITEMS, BulkItem, ExpectedValues, ProductChange
from g4hub_core.writes.schemas import AuditEntry
from g4hub_core.writes.service import target_values
from hub_api.web.rendering import PAGE_HEADERS, page
from hub_api.web.session import Viewer, local_path

__all__ = [
    "BULK_FIELDS",
    "BULK_OPERATIONS",
    "FIELD_LABELS",
    "RESULT_LABELS",
    "EditController",
    "EditResult",
    "edit_result",
    "version_of",
]

FIELD_LABELS = {
    "price": "Price",
    "sale_price": "Sale price",
    "stock_quantity": "Stock",
    "manage_stock": "Track stock",
}
RESULT_LABELS = {
    "applied": "Applied",
    "conflict": "Conflict",
    "not_applied": "Ignored by the store",
    "failed": "Refused",
}
BULK_FIELDS = {"price": "Price", "stock_quantity": "Stock"}
BULK_OPERATIONS = {
    "set": "Set to",
    "increase": "Increase by",
    "decrease": "Decrease by",
    "percent_up": "Increase by percent",
    "percent_down": "Decrease by percent",
}

# Outcomes the hub decides before writing anything: fixed texts, so a link cannot make the page
# say anything else (`?edit=<key>`).
_EDIT_NOTICES = {
    "unchanged": ("Nothing to save", "The values are the ones the store has; nothing was sent."),
    "invalid": (
        "Not saved",
        "Enter prices as amounts such as 12.50 (not below zero) and stock as a whole number; "
        "nothing was sent to the store.",
    ),
    "stale": (
        "Not saved: the product changed",
        "The hub read newer values from the store since this page was loaded (a sync or the "
        "store's notice), so nothing was written. The row now shows the store's values: check "
        "them and save again.",
    ),
    "variants": (
        "Choose a variant",
        "This product has several variants: change each one on the product's page.",
    ),
}
_BULK_NOTICES = {
    "none": "Select at least one product for the bulk change.",
    "invalid": "Enter the amount as a number (stock: a whole number), not below zero.",
    "too_many": f"A bulk change holds at most {MAX_BULK_ITEMS:,} changes.",
}
_NAMES_SHOWN = 200


def parse_store_id(text: str) -> uuid.UUID:
    """The id in the path (as `stores.parse_store_id`, which imports this module): a malformed
    one is the same 404 as an unknown one."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound("No such store.", code="store_not_found") from None


def version_of(product: ProductDetail | Any) -> str:
    """What a form carries to say which version of the hub's row it showed."""
    return str(product.last_updated.isoformat())


@dataclass(frozen=True)
class EditResult:
    """How an edit ended, as the page shows it above the row."""

    status: str
    title: str
    lines: list[str] = field(default_factory=list)
    product_id: str = ""


def _shown(value: str | None, name: str) -> str:
    if value is None or value == "":
        return "none" if name == "sale_price" else "not set"
    if name == "manage_stock":
        return "on" if value == "true" else "off"
    return value


def _from_audit(entries: list[AuditEntry]) -> EditResult:
    status = entries[0].result
    changes = [
        f"{FIELD_LABELS.get(e.field, e.field)} {_shown(e.old_value, e.field)} → "
        f"{_shown(e.new_value, e.field)}"
        for e in entries
    ]
    message = entries[0].message or ""
    if status == "applied":
        return EditResult("applied", "Saved at the store", [f"{', '.join(changes)}."])
    if status == "conflict":
        held = ", ".join(
            f"{FIELD_LABELS.get(e.field, e.field)} is {_shown(e.old_value, e.field)}"
            for e in entries
        )
        return EditResult(
            "conflict",
            "Not saved: the store's value changed",
            [
                f"The store now holds: {held}. It changed at the store since the hub last read "
                "it, so nothing was written over it.",
                "The row shows the store's values now: check them, and save again if your "
                "change still applies.",
            ],
        )
    if status == "not_applied":
        return EditResult(
            "not_applied",
            "The store ignored the change",
            [
                f"Asked: {', '.join(changes)}. {message}".strip(),
                "The row shows what the store holds now. Check the product's settings in the "
                "store's admin (for example whether it tracks stock).",
            ],
        )
    return EditResult(
        "failed",
        "The store refused the change",
        [
            f"Asked: {', '.join(changes)}. {message}".strip(),
            "Nothing was changed. Fix what the store says, or test the store's connection, then "
            "try again.",
        ],
    )


async def edit_result(unit: Unit, store_id: uuid.UUID, params: Any) -> EditResult | None:
    """The result a redirect after an edit asks the page to show (`?write=<audit ids>` or
    `?edit=<key>`), or `None`. Read from the tenant's own audit trail: a link cannot invent
    one."""
    product_id = (params.get("product") or "")[:100]
    key = params.get("edit") or ""
    if key in _EDIT_NOTICES:
        title, text = _EDIT_NOTICES[key]
        return EditResult(key, title, [text], product_id)
    wanted = [part for part in (params.get("write") or "").split(".")[:4] if part]
    if not wanted or not product_id:
        return None
    try:
        ids = {uuid.UUID(part) for part in wanted}
    except ValueError:
        return None
    trail = await unit.audit.page(store_id=store_id, product_id=product_id, limit=20)
    entries = [entry for entry in trail.items if entry.id in ids]
    if not entries:
        return None
    entries.sort(key=lambda entry: list(FIELD_LABELS).index(entry.field))
    result = _from_audit(entries)
    return EditResult(result.status, result.title, result.lines, product_id)


def _decimal(text: str) -> Decimal:
    value = Decimal(text.replace(",", "").strip())
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


def _parse(name: str, text: str) -> Any:
    """A posted value as the change takes it; `ValueError` (or `InvalidOperation`) if odd."""
    if name == "stock_quantity":
        return int(text.replace(",", "").strip())
    if name == "sale_price" and not text.strip():
        return None
    return _decimal(text)


def _same(name: str, new: Any, expected_text: str) -> bool:
    if not expected_text.strip():
        return new is None
    if new is None:
        return False
    try:
        return bool(_parse(name, expected_text) == new)
    except (ArithmeticError, ValueError):
        return False


def _back(target: str, **params: str) -> Redirect:
    separator = "&" if "?" in target else "?"
    return Redirect(
        f"{target}{separator}{urlencode(params)}#edit-result",
        status_code=HTTP_303_SEE_OTHER,
        headers=PAGE_HEADERS,
    )


def _text(form: FormMultiDict, name: str, limit: int = 100) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


class EditController(Controller):
    path = "/stores/{store_id:str}"
    include_in_schema = False

    @post("/products/edit")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        unit: NamedDependency[Unit],
        viewer: NamedDependency[Viewer],
        store_id: FromPath[str],
    ) -> Redirect:
        sid = parse_store_id(store_id)
        form = await request.form()
        product_id = _text(form, "product_id")
        variant_id = _text(form, "variant_id") or None
        product = await unit.catalog.get_product(sid, product_id)  # another tenant's: 404
        target = local_path(_text(form, "next", 2000), default=f"/stores/{sid}")

        def back(**params: str) -> Redirect:
            return _back(target, product=product_id, **params)

        version = _text(form, "version")
        if version and version != version_of(product):
            return back(edit="stale")
        changes: dict[str, Any] = {}
        try:
            for name in ("price", "sale_price", "stock_quantity"):
                if name in form:
                    given = _text(form, name)
                    if not given and name != "sale_price" and not _text(form, f"expected_{name}"):
                        continue  # empty as shown: the store holds no value to change
                    value = _parse(name, given)
                    if not _same(name, value, _text(form, f"expected_{name}")):
                        changes[name] = value
        except (ArithmeticError, ValueError):
            return back(edit="invalid")
        if "manage_stock_shown" in form:
            tracked = "manage_stock" in form
            if _text(form, "expected_manage_stock") != ("true" if tracked else "false"):
                changes["manage_stock"] = tracked
        if not changes:
            return back(edit="unchanged")
        expected = {}
        if "stock_quantity" in changes and _text(form, "expected_stock_quantity"):
            try:
                expected["stock_quantity"] = int(_text(form, "expected_stock_quantity"))
            except ValueError:
                return back(edit="invalid")
        try:
            change = ProductChange(
                variant_id=variant_id,
                expected=ExpectedValues(**expected) if expected else None,
                **changes,
            )
        except pydantic.ValidationError:
            return back(edit="invalid")
        try:
            outcome = await unit.writes.update(sid, product_id, change, actor=viewer.email)
        except InvalidInput as exc:
            if exc.code == "variant_required":
                return back(edit="variants")
            raise
        trail = await unit.audit.page(store_id=sid, product_id=product_id, limit=len(changes))
        written = [entry.id.hex for entry in trail.items if entry.result == outcome.status]
        return back(write=".".join(written))

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
        target = local_path(_text(form, "next", 2000), default=f"/stores/{sid}")
        selected = list(
            dict.fromkeys(v[:100] for v in form.getall("select", []) if isinstance(v, str))
        )
        field_name = _text(form, "field")
        operation = _text(form, "operation")
        if not selected:
            return _back(target, bulk="none")
        if len(selected) > MAX_BULK_ITEMS:
            return _back(target, bulk="too_many")
        try:
            amount = _decimal(_text(form, "amount"))
            if amount < 0 or field_name not in BULK_FIELDS or operation not in BULK_OPERATIONS:
                raise ValueError(amount)
            if (
                field_name == "stock_quantity"
                and not operation.startswith("percent")
                and amount != amount.to_integral_value()
            ):
                raise ValueError(amount)
        except (ArithmeticError, ValueError):
            return _back(target, bulk="invalid")
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
            return _back(target, bulk="nothing", skipped=str(skipped))
        if len(items) > MAX_BULK_ITEMS:
            return _back(target, bulk="too_many")
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
