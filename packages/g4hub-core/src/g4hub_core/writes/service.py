"""`WriteService`: changing a product at its store, verified and mirrored in the hub.

Each change follows one path, for an edit, a bulk item or a rule alike:

1. the product's turn is taken (`ProductLocks`, on SQLite) and the hub's row locked (PostgreSQL)
   and read afresh: the hub's own writes to one product take turns, each finding the last
   one's value at the store;
2. the store is read afresh and each changed field compared with the value the caller expects
   (`ProductChange`): a difference is a `conflict`, and nothing is written;
3. the connector writes, passing the expected stock on (Shopify GraphQL compares-and-sets it)
   and verifying on its re-read;
4. whatever the store holds afterwards is stored in the hub's row through the sync's
   `CatalogWriter` (so the change feed sees it, as `edit`), and each field is audited.

A refused or failed change is an outcome, not an exception: the caller's transaction commits the
refreshed row and the audit entries. Only a caller's mistake (an unknown store, product or
variant) raises.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from g4hub_connectors import (
    BaseConnector,
    ConnectorError,
    Product,
    ProductUpdate,
    WriteConflictError,
    WriteNotAppliedError,
)
from g4hub_core.catalog.ingest import CatalogWriter, IngestBatch
from g4hub_core.catalog.schemas import ProductRead
from g4hub_core.errors import InvalidInput, NotFound
from g4hub_core.models import StoreProduct, WriteAudit
from g4hub_core.repository import TenantRepository
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.unit import UnitOfWork
from g4hub_core.writes.locks import ProductLocks
from g4hub_core.writes.repository import AuditRepository, locked_product
from g4hub_core.writes.schemas import FieldChange, ProductChange, WriteOutcome, WriteStatus

__all__ = ["OpenConnector", "WriteService", "target_values"]

logger = logging.getLogger("g4hub_core.writes")

OpenConnector = Callable[[uuid.UUID], Awaitable[BaseConnector[Any]]]
"""Opens a connector for one of the tenant's stores (`StoreService.open_connector`)."""


class _Products(TenantRepository[StoreProduct]):
    model = StoreProduct
    noun = "product"


def target_values(product: Product, variant_id: str | None) -> dict[str, Any]:
    """The writable values of the product, or of its variant `variant_id` (`price` is the
    regular price, as a write sets it). `NotFound` for an unknown variant; `InvalidInput` when a
    product of several variants is addressed without one."""
    if variant_id is None:
        if len(product.variants) > 1:
            raise InvalidInput(
                "This product has several variants: say which one to change (variant_id).",
                code="variant_required",
                details={"variant_id": "required for a product with several variants"},
            )
        return {
            "price": product.regular_price if product.regular_price is not None else product.price,
            "sale_price": product.sale_price,
            "stock_quantity": product.stock_quantity,
            "manage_stock": product.manage_stock,
        }
    for variant in product.variants:
        if variant.id == variant_id:
            return {
                "price": variant.price if variant.regular_price is None else variant.regular_price,
                "sale_price": variant.sale_price,
                "stock_quantity": variant.stock_quantity,
                "manage_stock": variant.manage_stock,
            }
    raise NotFound(
        f"The product has no variant with id {variant_id!r}.",
        code="variant_not_found",
        details={"variant_id": variant_id},
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.compare(b) == 0
    return bool(a == b)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)[:64]


class WriteService:
    """The tenant's writes to its stores. Never commits: the unit does."""

    def __init__(
        self,
        unit: UnitOfWork,
        *,
        open_connector: OpenConnector,
        locks: ProductLocks,
    ) -> None:
        self.unit = unit
        self._open_connector = open_connector
        self._locks = locks
        self._products = _Products(unit.session, unit.tenant_id)
        self._stores = StoreRepository(unit.session, unit.tenant_id)
        self._audit = AuditRepository(unit.session, unit.tenant_id)

    async def update(
        self,
        store_id: uuid.UUID,
        product_id: str,
        change: ProductChange,
        *,
        actor: str | None = None,
        rule_id: uuid.UUID | None = None,
        job_id: uuid.UUID | None = None,
        connector: BaseConnector[Any] | None = None,
    ) -> WriteOutcome:
        """Write `change` to the store's product (see the module's steps) and return how it
        ended. `NotFound` for an unknown store, product (as of the last sync) or variant;
        `InvalidInput` for a product of several variants addressed without `variant_id`.

        `connector`: the store's connector, open (`open_connector`), for a caller writing many
        changes to one store; the caller closes it. Without it, one is opened for this write."""
        await self._stores.get_or_raise(store_id)
        audit = _Audit(self, store_id, product_id, change.variant_id, actor, rule_id, job_id)
        # The turn ends before the mirror and the audit (see `writes.locks`).
        async with self._locks.hold(store_id, product_id):
            row = (
                None
                if "\x00" in product_id
                else await locked_product(self._products, store_id, product_id)
            )
            if row is None:
                raise NotFound(
                    f"The store has no product with id {product_id!r} (as of its last sync).",
                    code="product_not_found",
                    details={"store_id": str(store_id), "platform_product_id": product_id},
                )
            changes = change.changes()
            hub_view = target_values(Product.model_validate(row.data), change.variant_id)
            expected = {name: hub_view[name] for name in changes} | {
                name: value for name, value in change.expectations().items() if name in changes
            }
            if change.if_match is not None and change.if_match.strip('"') != row.content_hash:
                ending = _Ending(
                    "conflict",
                    hub_view,
                    code="stale_etag",
                    message=(
                        "The product changed in the hub since it was read; nothing was written."
                    ),
                )
            elif connector is None:
                async with await self._open_connector(store_id) as opened:
                    ending = await self._at_store(opened, row, change, expected, hub_view)
            else:
                ending = await self._at_store(connector, row, change, expected, hub_view)
        if ending.mirror is not None:
            row = await self._mirror(row, ending.mirror)
        return await audit.finish(
            row,
            ending.status,
            changes,
            ending.before,
            current=ending.current,
            code=ending.code,
            message=ending.message,
        )

    async def open_connector(self, store_id: uuid.UUID) -> BaseConnector[Any]:
        """The store's connector, for `update(connector=...)`; the caller closes it."""
        return await self._open_connector(store_id)

    async def _at_store(
        self,
        connector: BaseConnector[Any],
        row: StoreProduct,
        change: ProductChange,
        expected: Mapping[str, Any],
        hub_view: Mapping[str, Any],
    ) -> _Ending:
        """Steps 2 and 3 of the module's: compare and write; how it ended, and what to mirror."""
        store_id, product_id, changes = row.store_id, row.platform_product_id, change.changes()
        try:
            stored = await connector.get_product(product_id)
        except ConnectorError as exc:
            return _Ending("failed", hub_view, code=exc.code, message=exc.user_message)
        before = target_values(stored, change.variant_id)
        stale = [name for name in changes if not _same(before[name], expected[name])]
        if stale:
            return _Ending(
                "conflict",
                before,
                mirror=stored,
                code="write_conflict",
                message=(
                    "The store's value changed since it was read "
                    f"({', '.join(stale)}); nothing was written."
                ),
            )
        update = ProductUpdate(
            **changes,
            variant_id=change.variant_id,
            **(
                {"expected_stock_quantity": expected["stock_quantity"]}
                if "stock_quantity" in changes and expected["stock_quantity"] is not None
                else {}
            ),
        )
        try:
            written = await connector.update_product(product_id, update)
        except WriteConflictError as exc:
            now = await self._reread(connector, product_id)
            return _Ending(
                "conflict",
                before,
                mirror=now,
                current=target_values(now, change.variant_id) if now is not None else before,
                code=exc.code,
                message=exc.user_message,
            )
        except WriteNotAppliedError as exc:
            now = exc.applied if isinstance(exc.applied, Product) else None
            now = now or await self._reread(connector, product_id)
            return _Ending(
                "not_applied",
                before,
                mirror=now,
                current=target_values(now, change.variant_id) if now is not None else before,
                code=exc.code,
                message=exc.user_message,
            )
        except ConnectorError as exc:
            logger.info("write to store %s failed: %s", store_id, exc.code)
            return _Ending("failed", before, code=exc.code, message=exc.user_message)
        return _Ending(
            "applied", before, mirror=written, current=target_values(written, change.variant_id)
        )

    async def _reread(self, connector: BaseConnector[Any], product_id: str) -> Product | None:
        try:
            return await connector.get_product(product_id)
        except ConnectorError:
            return None

    async def _mirror(self, row: StoreProduct, product: Product | None) -> StoreProduct:
        """Store `product` (as the store has it) in the hub's row; the row, read afresh."""
        if product is None:
            return row
        batch = IngestBatch.prepare(
            [product],
            tenant_id=self.unit.tenant_id,
            store_id=row.store_id,
            # Keeps the mark of the sync that last saw the product, so a sync running meanwhile
            # does not take the row for one its listing missed.
            sync_id=row.seen_by_sync_id or uuid.uuid4(),
        )
        # One row: the VALUES form. (The COPY form's staging table also outlives the statement
        # within a transaction, and a second write in it would upsert the first's rows again.)
        await CatalogWriter(self.unit.session, self.unit.tenant_id).write(
            batch, method="values", source="edit"
        )
        fresh = await locked_product(self._products, row.store_id, row.platform_product_id)
        return fresh or row

    def record(self, entries: Sequence[WriteAudit]) -> None:
        for entry in entries:
            self._audit.add(entry)


@dataclass(frozen=True)
class _Ending:
    """How a write ended at the store: its status, the store's values before it (`before`) and
    after (`current`, default `before`), and the product to mirror in the hub's row."""

    status: WriteStatus
    before: Mapping[str, Any]
    mirror: Product | None = None
    current: Mapping[str, Any] | None = None
    code: str | None = None
    message: str | None = None


class _Audit:
    """Ends a write: one audit entry per field, and the outcome."""

    def __init__(
        self,
        service: WriteService,
        store_id: uuid.UUID,
        product_id: str,
        variant_id: str | None,
        actor: str | None,
        rule_id: uuid.UUID | None,
        job_id: uuid.UUID | None,
    ) -> None:
        self._service = service
        self._entry = {
            "store_id": store_id,
            "product_id": product_id,
            "variant_id": variant_id,
            "actor": actor,
            "rule_id": rule_id,
            "job_id": job_id,
        }

    async def finish(
        self,
        row: StoreProduct,
        status: WriteStatus,
        changes: Mapping[str, Any],
        before: Mapping[str, Any],
        *,
        current: Mapping[str, Any] | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> WriteOutcome:
        entries = {
            name: WriteAudit(
                **self._entry,
                id=uuid.uuid4(),
                field=name,
                old_value=_text(before.get(name)),
                new_value=_text(value),
                result=status,
                error_code=code,
                message=message,
            )
            for name, value in changes.items()
        }
        self._service.record(list(entries.values()))
        await self._service.unit.session.flush()
        return WriteOutcome(
            product_id=str(self._entry["product_id"]),
            variant_id=self._entry["variant_id"],
            status=status,
            error_code=code,
            message=message,
            fields={
                name: FieldChange(old=before.get(name), new=value)
                for name, value in changes.items()
            },
            current=dict(current if current is not None else before),
            product=ProductRead.model_validate(row),
            etag=row.content_hash,
            audit_ids={name: entry.id for name, entry in entries.items()},
        )
