"""Rules (inventory and price), what their dry run plans, and what a run did."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from g4hub_core.rules.pricing import Adjustment, Rounding

__all__ = [
    "PlannedChange",
    "RuleCreate",
    "RuleKind",
    "RulePlan",
    "RuleRead",
    "RuleRun",
    "RuleRunRead",
]

RuleKind = Literal["inventory", "price"]
"""One kind per concern, so "sync the price but not the stock, or the reverse" is the choice of
kind, and both are two rules (each with its own targets, dry run and switch):

- `inventory`: the targets' stock is the source's minus `buffer` (never below 0);
- `price`: the targets' price (`sync_price`) and/or sale price (`sync_sale_price`) is the
  source's, adjusted (`price_adjustment_type`, `price_adjustment`) and rounded
  (`price_rounding`)."""

MAX_PERCENT = Decimal(1000)
MAX_AMOUNT = Decimal(1_000_000)


class RuleCreate(BaseModel):
    """A rule keeping `target_store_ids` in step with the source store, per SKU."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    kind: RuleKind = "inventory"
    source_store_id: uuid.UUID
    target_store_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    buffer: int = Field(default=0, ge=0, le=1_000_000)
    """Inventory: keep this many back in each target."""
    excluded_skus: list[str] = Field(default=[], max_length=10_000)
    enabled: bool = False
    price_adjustment_type: Adjustment = "percent"
    price_adjustment: Decimal = Field(default=Decimal(0), max_digits=12, decimal_places=4)
    """Price: a markup (positive) or markdown (negative), in percent or in the store's
    currency. A percent markdown is at most 100."""
    price_rounding: Rounding = "none"
    sync_price: bool = True
    sync_sale_price: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> RuleCreate:
        if self.kind == "price":
            if not (self.sync_price or self.sync_sale_price):
                raise ValueError("a price rule keeps the price, the sale price or both")
            if self.price_adjustment_type == "percent" and not (
                -100 <= self.price_adjustment <= MAX_PERCENT
            ):
                raise ValueError("a percent adjustment is between -100 and 1000")
            if abs(self.price_adjustment) > MAX_AMOUNT:
                raise ValueError("an amount adjustment is at most 1,000,000 either way")
        return self


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    name: str
    kind: str
    source_store_id: uuid.UUID
    target_store_ids: list[uuid.UUID]
    buffer: int
    excluded_skus: list[str]
    enabled: bool
    price_adjustment_type: str
    price_adjustment: Decimal
    price_rounding: str
    sync_price: bool
    sync_sale_price: bool
    created_at: datetime


class PlannedChange(BaseModel):
    """One field of one target product, or of its variant `variant_id` (a product of several
    variants is matched and written per variant, by each variant's SKU): what it holds (`old`,
    as of the hub's last look) and what the rule would write (`new`). Prices are decimals (text
    in JSON), stock integers."""

    model_config = ConfigDict(frozen=True)

    sku: str
    store_id: uuid.UUID
    product_id: str
    variant_id: str | None = None
    field: str = "stock_quantity"
    old: int | Decimal | None
    new: int | Decimal | None


class RulePlan(BaseModel):
    """What the rule would write now (from the hub's rows); nothing is written."""

    model_config = ConfigDict(frozen=True)

    rule_id: uuid.UUID
    changes: list[PlannedChange]


class RuleRun(BaseModel):
    """A run's outcomes: each planned change with how it ended (`applied`, `conflict`, ...)."""

    model_config = ConfigDict(frozen=True)

    rule_id: uuid.UUID
    results: list[dict[str, object]]


class RuleRunRead(BaseModel):
    """A past run: by hand (`manual`, with the user) or on a change at the source (`change`)."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    rule_id: uuid.UUID
    trigger: str
    actor: str | None
    counts: dict[str, int]
    results: list[dict[str, Any]]
    created_at: datetime
