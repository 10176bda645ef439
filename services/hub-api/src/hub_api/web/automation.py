"""The Automation page: each store's schedule, and rules across stores.

/automation                           schedules and the rules, with their status
/automation/rules/new                 the form for a rule (inventory or price)
/automation/rules/<id>                a rule: its settings, dry run, switch, runs and audit trail
/automation/rules/<id>/switch         POST `enabled` = on | off
/automation/rules/<id>/run            POST: run it now
/automation/rules/<id>/delete         a confirmation page, then the deletion

Every form works without JavaScript; a rule is saved switched off, so its dry run is seen before
it is switched on.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import pydantic
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from g4hub_core import InvalidInput, NotFound, Unit
from g4hub_core.rules import RuleCreate, RuleRead
from g4hub_core.rules.service import MAX_RUN_CHANGES
from g4hub_core.stores.schemas import StoreRead
from hub_api.web.edits import RESULT_LABELS
from hub_api.web.errors import PageError
from hub_api.web.forms import FormValues, read_form
from hub_api.web.rendering import PAGE_HEADERS, page

__all__ = ["AutomationController"]

PLAN_ROWS = 200
"""The dry run's changes shown on a rule's page (the count says how many in all)."""

AUDIT_ROWS = 50

ROUNDINGS = {
    "none": "To the cent",
    "whole": "To a whole amount",
    "end_99": "End in .99",
}
_ROUNDED = {"none": "to the cent", "whole": "to a whole amount", "end_99": "to end in .99"}
KINDS = {"inventory": "Inventory (stock)", "price": "Price"}
FIELDS = {"stock_quantity": "Stock", "price": "Price", "sale_price": "Sale price"}

# What a redirect may ask a rule's page to say (`?done=<key>`): fixed texts.
DONE = {
    "created": "The rule is saved, switched off. Check its dry run, then switch it on.",
    "on": "The rule is on: it runs whenever its source store changes.",
    "off": "The rule is off.",
    "ran": "The rule ran: its results are under “Recent runs”.",
    "deleted": "The rule was deleted.",
}


def parse_rule_id(text: str) -> uuid.UUID:
    """The id in a rule page's path; a malformed one is the same 404 as an unknown one."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound("No such rule.", code="rule_not_found") from None


def _redirect(url: str) -> Redirect:
    return Redirect(url, status_code=HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)


def _blank_form() -> dict[str, Any]:
    return {
        "name": "",
        "kind": "inventory",
        "source_store_id": "",
        "targets": [],
        "buffer": "0",
        "excluded_skus": "",
        "direction": "up",
        "price_adjustment_type": "percent",
        "price_adjustment": "0",
        "price_rounding": "none",
        "sync_price": True,
        "sync_sale_price": False,
    }


def _read_rule_form(
    form: FormValues, stores: list[StoreRead]
) -> tuple[dict[str, Any], dict[str, str], RuleCreate | None]:
    """The form as posted (to show it again), each field's error, and the rule when there is
    none."""
    known = {str(store.id) for store in stores}
    values: dict[str, Any] = {
        "name": form.text("name", max_length=500),
        "kind": form.text("kind", max_length=20),
        "source_store_id": form.text("source_store_id", max_length=40),
        "targets": [sid for sid in sorted(known) if form.text(f"target_{sid}")],
        "buffer": form.text("buffer", max_length=20) or "0",
        "excluded_skus": form.text("excluded_skus", max_length=100_000),
        "direction": form.text("direction", max_length=10) or "up",
        "price_adjustment_type": form.text("price_adjustment_type", max_length=20),
        "price_adjustment": form.text("price_adjustment", max_length=30) or "0",
        "price_rounding": form.text("price_rounding", max_length=20),
        "sync_price": bool(form.text("sync_price")),
        "sync_sale_price": bool(form.text("sync_sale_price")),
    }
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Enter a name."
    elif len(values["name"]) > 200:
        errors["name"] = "Use at most 200 characters."
    if values["kind"] not in KINDS:
        errors["kind"] = "Pick inventory or price."
    if values["source_store_id"] not in known:
        errors["source_store_id"] = "Pick the store whose values the others follow."
    if not values["targets"]:
        errors["targets"] = "Pick at least one store to keep in step."
    elif values["source_store_id"] in values["targets"]:
        errors["targets"] = "The source store cannot also be a target."
    buffer = 0
    try:
        buffer = int(values["buffer"])
        if not 0 <= buffer <= 1_000_000:
            raise ValueError(buffer)
    except ValueError:
        errors["buffer"] = "Enter a whole number from 0 to 1,000,000."
    skus = [
        sku.strip()
        for sku in values["excluded_skus"].replace(",", "\n").splitlines()
        if sku.strip()
    ]
    if len(skus) > 10_000:
        errors["excluded_skus"] = "List at most 10,000 SKUs."
    adjustment = Decimal(0)
    if values["kind"] == "price":
        if values["price_adjustment_type"] not in ("percent", "amount"):
            errors["price_adjustment_type"] = "Pick percent or amount."
        if values["direction"] not in ("up", "down"):
            errors["direction"] = "Pick a markup or a markdown."
        if values["price_rounding"] not in ROUNDINGS:
            errors["price_rounding"] = "Pick one of the roundings."
        try:
            adjustment = Decimal(values["price_adjustment"].replace(",", ""))
            if not adjustment.is_finite() or adjustment < 0:
                raise InvalidOperation
            if values["direction"] == "down":
                adjustment = -adjustment
            if values["price_adjustment_type"] == "percent" and not (-100 <= adjustment <= 1000):
                errors["price_adjustment"] = "A markup is at most 1000%, a markdown at most 100%."
            elif abs(adjustment) > 1_000_000 or adjustment != adjustment.quantize(
                Decimal("0.0001")
            ):
                errors["price_adjustment"] = "Enter at most 1,000,000 with up to 4 decimals."
        except (InvalidOperation, ValueError):
            errors["price_adjustment"] = "Enter a number, 0 or more (e.g. 10 or 2.50)."
        if not (values["sync_price"] or values["sync_sale_price"]):
            errors["fields"] = "Keep the price, the sale price or both."
    if errors:
        return values, errors, None
    try:
        rule = RuleCreate(
            name=values["name"],
            kind=values["kind"],
            source_store_id=uuid.UUID(values["source_store_id"]),
            target_store_ids=[uuid.UUID(sid) for sid in values["targets"]],
            buffer=buffer,
            excluded_skus=skus,
            price_adjustment_type=values["price_adjustment_type"] or "percent",
            price_adjustment=adjustment,
            price_rounding=values["price_rounding"] or "none",
            sync_price=values["sync_price"] if values["kind"] == "price" else True,
            sync_sale_price=values["sync_sale_price"] if values["kind"] == "price" else False,
        )
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        return values, {"form": str(first.get("msg", "Check the values."))}, None
    return values, {}, rule


def _form_page(
    stores: list[StoreRead],
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return page(
        "automation_rule_form.html",
        status_code=status,
        stores=stores,
        form=values,
        errors=errors or {},
        ROUNDINGS=ROUNDINGS,
        KINDS=KINDS,
    )


def describe(rule: RuleRead) -> str:
    """A rule's effect in words, as the list and its page say it."""
    if rule.kind == "price":
        fields = " and ".join(
            name
            for name, on in (("price", rule.sync_price), ("sale price", rule.sync_sale_price))
            if on
        )
        amount = abs(rule.price_adjustment).normalize()
        if rule.price_adjustment == 0:
            change = "as is"
        else:
            word = "plus" if rule.price_adjustment > 0 else "minus"
            unit = "%" if rule.price_adjustment_type == "percent" else ""
            change = f"{word} {amount:f}{unit}"
        rounding = _ROUNDED.get(rule.price_rounding, rule.price_rounding)
        return f"The source's {fields}, {change}, rounded {rounding}."
    buffer = f", keeping {rule.buffer:,} back" if rule.buffer else ""
    return f"The source's stock{buffer}."


class AutomationController(Controller):
    path = "/automation"
    include_in_schema = False

    @get("/")
    async def automation(self, unit: NamedDependency[Unit]) -> Template:
        overview = await unit.dashboard.overview(recent=0)
        stores = await unit.stores.list()
        return page(
            "automation.html",
            stores=overview.stores,
            names={store.id: store.name for store in stores},
            rules=await unit.rules.all(),
            describe=describe,
            KINDS=KINDS,
        )

    @get("/rules/new")
    async def new_rule(
        self, unit: NamedDependency[Unit], kind: FromQuery[str] = "inventory"
    ) -> Template:
        values = _blank_form()
        values["kind"] = kind if kind in KINDS else "inventory"
        return _form_page(await unit.stores.list(), values)

    @post("/rules/new")
    async def create_rule(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit]
    ) -> Redirect:
        stores = await unit.stores.list()
        values, errors, data = _read_rule_form(await read_form(request), stores)
        if data is None:
            raise PageError(_form_page(stores, values, errors=errors, status=422))
        try:
            rule = await unit.rules.create(data)
        except (InvalidInput, NotFound) as exc:  # a store removed meanwhile
            raise PageError(
                _form_page(stores, values, errors={"form": exc.message}, status=422)
            ) from None
        return _redirect(f"/automation/rules/{rule.id}?done=created")

    @get("/rules/{rule_id:str}")
    async def rule_page(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit], rule_id: FromPath[str]
    ) -> Template:
        rule = await unit.rules.get(parse_rule_id(rule_id))
        plan = await unit.rules.dry_run(rule.id)
        stores = await unit.stores.list()
        trail = await unit.audit.page(rule_id=rule.id, limit=AUDIT_ROWS)
        changes = plan.changes[:PLAN_ROWS]
        shown = [(c.store_id, c.product_id, c.variant_id) for c in changes]
        shown += [(e.store_id, e.product_id, e.variant_id) for e in trail.items]
        source = next((s for s in stores if s.id == rule.source_store_id), None)
        return page(
            "automation_rule.html",
            rule=rule,
            describe=describe,
            names={store.id: store.name for store in stores},
            titles=await unit.audit.titles(shown),
            source=source,
            source_live=source is not None
            and (await unit.webhooks.status(source.id)).status == "live",
            changes=changes,
            planned=len(plan.changes),
            writes=len({(c.store_id, c.product_id, c.variant_id) for c in plan.changes}),
            MAX_RUN_CHANGES=MAX_RUN_CHANGES,
            runs=await unit.rules.runs(rule.id, limit=10),
            audit=trail.items,
            done=DONE.get(request.query_params.get("done", "")),
            KINDS=KINDS,
            FIELDS=FIELDS,
            RESULT_LABELS=RESULT_LABELS,
        )

    @post("/rules/{rule_id:str}/switch")
    async def switch(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit], rule_id: FromPath[str]
    ) -> Redirect:
        form = await read_form(request)
        enabled = form.text("enabled", max_length=5) == "on"
        rule = await unit.rules.set_enabled(parse_rule_id(rule_id), enabled)
        return _redirect(f"/automation/rules/{rule.id}?done={'on' if enabled else 'off'}")

    @post("/rules/{rule_id:str}/run")
    async def run(
        self, request: Request[Any, Any, Any], unit: NamedDependency[Unit], rule_id: FromPath[str]
    ) -> Redirect:
        viewer = request.state.viewer
        ran = await unit.rules.run(parse_rule_id(rule_id), actor=viewer.email)
        return _redirect(f"/automation/rules/{ran.rule_id}?done=ran")

    @get("/rules/{rule_id:str}/delete")
    async def confirm_delete(self, unit: NamedDependency[Unit], rule_id: FromPath[str]) -> Template:
        return page(
            "automation_rule_delete.html", rule=await unit.rules.get(parse_rule_id(rule_id))
        )

    @post("/rules/{rule_id:str}/delete")
    async def delete(self, unit: NamedDependency[Unit], rule_id: FromPath[str]) -> Redirect:
        await unit.rules.delete(parse_rule_id(rule_id))
        return _redirect("/automation?done=deleted")
