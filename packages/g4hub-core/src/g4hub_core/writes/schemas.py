"""What the write path takes and returns: a change to one product (or variant), its outcome,
bulk jobs and the audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from g4hub_core.catalog.schemas import ProductRead

__all__ = [
    "MAX_BULK_ITEMS",
    "WRITABLE_FIELDS",
    "AuditEntry",
    "AuditPage",
    "BulkItem",
    "ExpectedValues",
    "FieldChange",
    "ProductChange",
    "WriteJobRead",
    "WriteOutcome",
    "WriteStatus",
]

MAX_BULK_ITEMS = 1_000
WRITABLE_FIELDS = ("price", "sale_price", "stock_quantity", "manage_stock")

WriteStatus = Literal["applied", "conflict", "not_applied", "failed"]
"""`applied`: written and verified by the store's re-read. `conflict`: the store held another
value than the one expected, nothing written. `not_applied`: the store answered but kept its
value. `failed`: the store could not be reached or refused the request."""


class ExpectedValues(BaseModel):
    """The values the caller believes the store holds now. Only the fields set are compared."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    price: Decimal | None = None
    sale_price: Decimal | None = None
    # Bounded like the change's own quantity: the published schema bounds every integer.
    stock_quantity: int | None = Field(default=None, ge=-1_000_000_000, le=1_000_000_000)
    manage_stock: bool | None = None


class ProductChange(BaseModel):
    """A change to one product, or to one variant (`variant_id`). Only the fields set are
    written; `sale_price: null` ends a sale.

    Optimistic concurrency: each changed field is compared, on a fresh read from the store, with
    the value the caller expects: `expected`'s, else (for fields it does not name) the hub's row
    as last synced. `if_match` (an `etag` the hub returned) also requires the hub's row to be
    unchanged. A difference refuses the change as a conflict; nothing is written.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    variant_id: str | None = Field(default=None, max_length=100)
    price: Decimal | None = Field(default=None, ge=0, max_digits=15, decimal_places=4)
    sale_price: Decimal | None = Field(default=None, ge=0, max_digits=15, decimal_places=4)
    stock_quantity: int | None = Field(default=None, ge=-1_000_000_000, le=1_000_000_000)
    manage_stock: bool | None = None
    expected: ExpectedValues | None = None
    if_match: str | None = Field(default=None, max_length=80)

    @model_validator(mode="after")
    def _something_to_write(self) -> ProductChange:
        if not self.changes():
            raise ValueError(f"set at least one of {', '.join(WRITABLE_FIELDS)}")
        for name in ("price", "stock_quantity", "manage_stock"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields to write, in `WRITABLE_FIELDS` order."""
        return {
            name: getattr(self, name) for name in WRITABLE_FIELDS if name in self.model_fields_set
        }

    def expectations(self) -> dict[str, Any]:
        """The fields `expected` names."""
        if self.expected is None:
            return {}
        return {name: getattr(self.expected, name) for name in self.expected.model_fields_set}


class BulkItem(ProductChange):
    """One item of a bulk change: a `ProductChange` and the product it is for."""

    product_id: str = Field(min_length=1, max_length=100)


class FieldChange(BaseModel):
    """One field of a write: what the store held, what was asked."""

    model_config = ConfigDict(frozen=True)

    old: Any
    new: Any


class WriteOutcome(BaseModel):
    """How one change ended. `current`: the target's values as the store holds them now (as far
    as the hub knows after the attempt). `product`: the hub's row after the attempt; `etag` its
    tag, for the next change's `if_match`. `audit_ids`: the id of the audit entry this change
    left for each of its fields."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    variant_id: str | None = None
    status: WriteStatus
    error_code: str | None = None
    message: str | None = None
    fields: dict[str, FieldChange] = {}
    current: dict[str, Any] = {}
    product: ProductRead | None = None
    etag: str | None = None
    audit_ids: dict[str, uuid.UUID] = {}


class WriteJobRead(BaseModel):
    """A bulk change and its progress; `results` holds each finished item's outcome, in order."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    store_id: uuid.UUID
    status: str
    total: int
    done: int
    progress: float
    counts: dict[str, int]
    results: list[dict[str, Any]]
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class AuditEntry(BaseModel):
    """One field of one write the hub made or tried."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    created_at: datetime
    store_id: uuid.UUID
    product_id: str
    variant_id: str | None
    field: str
    old_value: str | None
    new_value: str | None
    result: str
    error_code: str | None
    message: str | None
    actor: str | None
    rule_id: uuid.UUID | None
    job_id: uuid.UUID | None


class AuditPage(BaseModel):
    """Audit entries, newest first; `next_cursor` continues the listing (`None`: no more)."""

    model_config = ConfigDict(frozen=True)

    items: list[AuditEntry]
    next_cursor: str | None
