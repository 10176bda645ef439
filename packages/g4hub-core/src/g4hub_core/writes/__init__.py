"""Writing back to the stores: single changes (`WriteService`), bulk changes run as jobs
(`BulkWrites`, `WriteRunner`), and the audit trail of every write (`AuditTrail`).

    async with hub.unit(tenant_id) as unit:
        outcome = await unit.writes.update(store_id, "123", ProductChange(price=Decimal("9.99")))
        job = await unit.bulk_writes.request(store_id, [BulkItem(product_id="123", ...)])
        page = await unit.audit.page(store_id=store_id)
"""

from g4hub_core.writes.audit import AuditTrail
from g4hub_core.writes.bulk import BulkWrites
from g4hub_core.writes.jobs import WriteRunner
from g4hub_core.writes.schemas import (
    MAX_BULK_ITEMS,
    AuditEntry,
    AuditPage,
    BulkItem,
    ExpectedValues,
    ProductChange,
    WriteJobRead,
    WriteOutcome,
)
from g4hub_core.writes.service import WriteService

__all__ = [
    "MAX_BULK_ITEMS",
    "AuditEntry",
    "AuditPage",
    "AuditTrail",
    "BulkItem",
    "BulkWrites",
    "ExpectedValues",
    "ProductChange",
    "WriteJobRead",
    "WriteOutcome",
    "WriteRunner",
    "WriteService",
]
