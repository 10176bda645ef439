from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, JSONData, Money, UTCDateTime, utcnow


class SyncRule(Base):
    """A rule keeping `target_store_ids` in step with a source store, per SKU.

    `kind = "inventory"`: the targets' stock is the source's minus `buffer` (never below zero),
    except the SKUs in `excluded_skus`. `kind = "price"`: the targets' price (`sync_price`)
    and/or sale price (`sync_sale_price`) is the source's, adjusted by `price_adjustment`
    (`price_adjustment_type` `percent` or `amount`; negative is a markdown) and rounded
    (`price_rounding`: `none`, `whole`, `end_99`)."""

    __tablename__ = "sync_rules"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="inventory")
    source_store_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("stores.id", ondelete="CASCADE")
    )
    target_store_ids: Mapped[list[Any]] = mapped_column(JSONData, default=list)
    buffer: Mapped[int] = mapped_column(Integer, default=0)
    excluded_skus: Mapped[list[Any]] = mapped_column(JSONData, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    last_change_id: Mapped[int] = mapped_column(BigInteger, default=0)
    """The last change of the source store (`product_changes.id`) the rule has acted on."""
    price_adjustment_type: Mapped[str] = mapped_column(String(16), default="percent")
    price_adjustment: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    price_rounding: Mapped[str] = mapped_column(String(16), default="none")
    sync_price: Mapped[bool] = mapped_column(Boolean, default=True)
    sync_sale_price: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncRuleRun(Base):
    """One run of a rule: by hand (`trigger = "manual"`, `actor`) or on a change at its source
    (`"change"`), with its outcome counts and each item's result."""

    __tablename__ = "rule_runs"
    __table_args__ = (
        Index("ix_rule_runs_tenant_id_rule_id_created_at", "tenant_id", "rule_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"))
    rule_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sync_rules.id", ondelete="CASCADE")
    )
    trigger: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(320), default=None)
    counts: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    results: Mapped[list[Any]] = mapped_column(JSONData, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
