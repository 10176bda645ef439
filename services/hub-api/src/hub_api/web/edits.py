"""Changing products from the dashboard, as plain forms (no script needed):

- `POST /stores/<id>/products/edit`: one product's (or variant's) price, sale price, stock and
  stock tracking, from the store's products table or the product's page. The form carries the
  values the page showed and the row's version: a change in the hub since (a sync) or at the
  store since the hub's last read is refused as a conflict, never written over. The answer is a
  redirect back to the page, which then says how it ended (`edit_result`), from the audit trail.

Bulk changes of the ticked rows are `bulk.py`'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import pydantic
from litestar import Controller, Request, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy import select

from g4hub_core import InvalidInput, NotFound, Unit
from g4hub_core.catalog.schemas import ProductDetail, ProductRead
from g4hub_core.models import StoreProduct, WriteAudit
from g4hub_core.writes import ExpectedValues, ProductChange
from g4hub_core.writes.repository import AuditRepository
from g4hub_core.writes.schemas import AuditEntry
from hub_api.web.rendering import PAGE_HEADERS
from hub_api.web.session import Viewer, local_path

__all__ = [
    "FIELD_LABELS",
    "RESULT_LABELS",
    "EditController",
    "EditResult",
    "back_to",
    "edit_result",
    "form_text",
    "parse_decimal",
    "parse_store_id",
    "sale_prices",
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
    entries = await _audit_entries(unit, store_id, product_id, ids)
    if not entries:
        return None
    entries.sort(key=lambda entry: list(FIELD_LABELS).index(entry.field))
    result = _from_audit(entries)
    return EditResult(result.status, result.title, result.lines, product_id)


async def _audit_entries(
    unit: Unit, store_id: uuid.UUID, product_id: str, ids: set[uuid.UUID]
) -> list[AuditEntry]:
    """The tenant's audit entries `ids` of the store's product, by id (however many writes
    came after them)."""
    audit = AuditRepository(unit.session, unit.tenant_id)
    rows = await unit.session.scalars(
        audit.statement().where(
            WriteAudit.id.in_(ids),
            WriteAudit.store_id == store_id,
            WriteAudit.product_id == product_id,
        )
    )
    return [AuditEntry.model_validate(row) for row in rows]


async def sale_prices(
    unit: Unit, store_id: uuid.UUID, products: Sequence[ProductRead]
) -> dict[str, Decimal]:
    """The sale price of each of `products` on sale (the price a products table shows for it,
    and the one its price box then edits), by product id."""
    ids = [product.platform_product_id for product in products]
    if not ids:
        return {}
    rows = await unit.session.execute(
        select(StoreProduct.platform_product_id, StoreProduct.data["sale_price"].as_string()).where(
            StoreProduct.tenant_id == unit.tenant_id,
            StoreProduct.store_id == store_id,
            StoreProduct.platform_product_id.in_(ids),
        )
    )
    found: dict[str, Decimal] = {}
    for product_id, sale in rows:
        if sale:
            try:
                found[product_id] = parse_decimal(sale)
            except (ArithmeticError, ValueError):  # not a price: shown as not on sale
                continue
    return found


def parse_decimal(text: str) -> Decimal:
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
    return parse_decimal(text)


def _same(name: str, new: Any, expected_text: str) -> bool:
    if not expected_text.strip():
        return new is None
    if new is None:
        return False
    try:
        return bool(_parse(name, expected_text) == new)
    except (ArithmeticError, ValueError):
        return False


def back_to(target: str, **params: str) -> Redirect:
    """A redirect to `target` (a page's own path and query, as its form sent it back: it may end
    with a bare "?") with `params` added to its query, scrolled to the edit's result."""
    separator = "" if target.endswith(("?", "&")) else "&" if "?" in target else "?"
    return Redirect(
        f"{target}{separator}{urlencode(params)}#edit-result",
        status_code=HTTP_303_SEE_OTHER,
        headers=PAGE_HEADERS,
    )


def form_text(form: FormMultiDict, name: str, limit: int = 100) -> str:
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
        product_id = form_text(form, "product_id")
        variant_id = form_text(form, "variant_id") or None
        product = await unit.catalog.get_product(sid, product_id)  # another tenant's: 404
        target = local_path(form_text(form, "next", 2000), default=f"/stores/{sid}")

        def back(**params: str) -> Redirect:
            return back_to(target, product=product_id, **params)

        version = form_text(form, "version")
        if version and version != version_of(product):
            return back(edit="stale")
        changes: dict[str, Any] = {}
        try:
            for name in ("price", "sale_price", "stock_quantity"):
                if name in form:
                    given = form_text(form, name)
                    if (
                        not given
                        and name != "sale_price"
                        and not form_text(form, f"expected_{name}")
                    ):
                        continue  # empty as shown: the store holds no value to change
                    value = _parse(name, given)
                    if not _same(name, value, form_text(form, f"expected_{name}")):
                        changes[name] = value
        except (ArithmeticError, ValueError):
            return back(edit="invalid")
        if "manage_stock_shown" in form:
            tracked = "manage_stock" in form
            if form_text(form, "expected_manage_stock") != ("true" if tracked else "false"):
                changes["manage_stock"] = tracked
        if not changes:
            return back(edit="unchanged")
        expected = {}
        if "stock_quantity" in changes and form_text(form, "expected_stock_quantity"):
            try:
                expected["stock_quantity"] = int(form_text(form, "expected_stock_quantity"))
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
        return back(write=".".join(entry.hex for entry in outcome.audit_ids.values()))
