"""Inventory rules, what their dry run plans, and what a run did."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PlannedChange", "RuleCreate", "RulePlan", "RuleRead", "RuleRun"]


class RuleCreate(BaseModel):
    """Keep the targets' stock equal to the source's, per SKU, minus `buffer` (not below 0)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    source_store_id: uuid.UUID
    target_store_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    buffer: int = Field(default=0, ge=0, le=1_000_000)
    excluded_skus: list[str] = Field(default=[], max_length=10_000)
    enabled: bool = False


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
    created_at: datetime


class PlannedChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str
    store_id: uuid.UUID
    product_id: str
    old: int | None
    new: int


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
