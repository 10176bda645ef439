"""Accepting bulk changes and reading their jobs (the runner is `writes.jobs`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from g4hub_core.errors import InvalidInput
from g4hub_core.models import WriteJob
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.unit import UnitOfWork
from g4hub_core.writes.jobs import job_read
from g4hub_core.writes.repository import WriteJobRepository
from g4hub_core.writes.schemas import MAX_BULK_ITEMS, BulkItem, WriteJobRead

__all__ = ["BulkWrites"]


class BulkWrites:
    """The tenant's bulk changes. Never commits: the unit does, and then wakes the runner."""

    def __init__(self, unit: UnitOfWork, *, notify: Callable[[], None] | None = None) -> None:
        self.unit = unit
        self._notify = notify
        self._jobs = WriteJobRepository(unit.session, unit.tenant_id)
        self._stores = StoreRepository(unit.session, unit.tenant_id)

    async def request(
        self, store_id: uuid.UUID, items: Sequence[BulkItem], *, actor: str | None = None
    ) -> WriteJobRead:
        """Queue a job writing `items` (1 to `MAX_BULK_ITEMS`) to the store, in order; each
        item ends as a single change would (`WriteService.update`). `NotFound` for an unknown
        store, `InvalidInput` for an empty or oversized list."""
        await self._stores.get_or_raise(store_id)
        if not 1 <= len(items) <= MAX_BULK_ITEMS:
            raise InvalidInput(
                f"A bulk change holds 1 to {MAX_BULK_ITEMS} items.",
                code="invalid_bulk",
                details={"items": f"between 1 and {MAX_BULK_ITEMS} items"},
            )
        job = self._jobs.add(
            WriteJob(
                id=uuid.uuid4(),
                store_id=store_id,
                status="queued",
                actor=actor,
                items=[item.model_dump(mode="json", exclude_unset=True) for item in items],
                results=[],
                total=len(items),
                done=0,
            )
        )
        await self.unit.session.flush()
        if self._notify is not None:
            notify = self._notify

            async def wake() -> None:
                notify()

            self.unit.after_commit(wake)
        return job_read(job)

    async def get(self, job_id: uuid.UUID) -> WriteJobRead:
        """One job with its progress and results; `NotFound` for another tenant's."""
        return job_read(await self._jobs.get_or_raise(job_id))
