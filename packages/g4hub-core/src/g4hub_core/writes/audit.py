"""Reading the audit trail: every write the hub made or tried, filtered, as pages or CSV."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import datetime

from g4hub_core.errors import InvalidInput
from g4hub_core.unit import UnitOfWork
from g4hub_core.writes.repository import AuditRepository
from g4hub_core.writes.schemas import AuditEntry, AuditPage

__all__ = ["CSV_COLUMNS", "AuditTrail"]

CSV_COLUMNS = tuple(AuditEntry.model_fields)
_CSV_BATCH = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else value.isoformat() if isinstance(value, datetime) else str(value)
    # A spreadsheet runs a cell that starts like a formula; product ids and messages come from
    # the stores, so they are quoted as text.
    return "'" + text if text.startswith(_FORMULA_START) else text


def _decode(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if not cursor:  # none, or an empty one (a form's empty field): the first page
        return None
    moment, _, last_id = cursor.rpartition("_")
    try:
        return datetime.fromisoformat(moment), uuid.UUID(last_id)
    except ValueError:
        raise InvalidInput(
            "This cursor was not given out by the audit trail.",
            code="invalid_cursor",
            details={"cursor": "not a cursor of this listing"},
        ) from None


class AuditTrail:
    """The tenant's audit trail, newest first."""

    def __init__(self, unit: UnitOfWork) -> None:
        self._audit = AuditRepository(unit.session, unit.tenant_id)

    async def page(
        self,
        *,
        store_id: uuid.UUID | None = None,
        product_id: str | None = None,
        rule_id: uuid.UUID | None = None,
        job_id: uuid.UUID | None = None,
        field: str | None = None,
        result: str | None = None,
        actor: str | None = None,
        by_rule: bool | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> AuditPage:
        """Entries matching every filter given, newest first, after `cursor` (the previous
        page's `next_cursor`; a cursor this trail did not give out is `InvalidInput`).
        `field`, `result`, `actor` match exactly; `by_rule`: written by a rule, or not."""
        rows = await self._audit.list(
            store_id=store_id,
            product_id=product_id,
            rule_id=rule_id,
            job_id=job_id,
            field=field,
            result=result,
            actor=actor,
            by_rule=by_rule,
            after=_decode(cursor),
            limit=limit,
        )
        items = [AuditEntry.model_validate(row) for row in rows]
        last = items[-1] if len(items) == limit else None
        return AuditPage(
            items=items,
            next_cursor=None if last is None else f"{last.created_at.isoformat()}_{last.id}",
        )

    async def titles(
        self, keys: Iterable[tuple[uuid.UUID, str, str | None]]
    ) -> dict[tuple[uuid.UUID, str, str | None], str]:
        """What a person calls each (store, product id, variant id or `None`) given, as far as
        the hub holds it: the product's name, and " · " and the variant's title for a variant
        (e.g. "Bright Scarf · Blue / L"). Keys the hub holds no product for are left out. For
        the few dozen rows of a page (audit entries, a dry run's changes)."""
        wanted = set(keys)
        names, variants = await self._audit.titles(
            sorted({(store, product) for store, product, _ in wanted}, key=str)
        )
        shown: dict[tuple[uuid.UUID, str, str | None], str] = {}
        for store, product, variant in wanted:
            name = names.get((store, product))
            if name is None:
                continue
            title = variants.get((store, product, variant)) if variant is not None else None
            shown[(store, product, variant)] = f"{name} · {title}" if title else name
        return shown

    async def csv(
        self,
        *,
        store_id: uuid.UUID | None = None,
        product_id: str | None = None,
        rule_id: uuid.UUID | None = None,
        field: str | None = None,
        result: str | None = None,
        actor: str | None = None,
        by_rule: bool | None = None,
    ) -> AsyncIterator[str]:
        """Every matching entry as CSV text (a header row, then `CSV_COLUMNS`), in chunks."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        cursor: str | None = None
        while True:
            page = await self.page(
                store_id=store_id,
                product_id=product_id,
                rule_id=rule_id,
                field=field,
                result=result,
                actor=actor,
                by_rule=by_rule,
                cursor=cursor,
                limit=_CSV_BATCH,
            )
            for item in page.items:
                writer.writerow([_cell(getattr(item, column)) for column in CSV_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if page.next_cursor is None:
                return
            cursor = page.next_cursor
