"""Request and response bodies of the stores routes. Stores, checks and products are the core's
own schemas; the service adds only its flags (`force`, `sync`) and the list envelope."""

from __future__ import annotations

from pydantic import BaseModel

from g4hub_core.stores.schemas import StoreCreate, StoreRead, StoreUpdate

__all__ = ["StoreCreateRequest", "StoreList", "StoreUpdateRequest"]


class StoreCreateRequest(StoreCreate):
    """A new store (the core's `StoreCreate`) and what to do with it.

    `force`: save the store even if its connection test fails (it is saved as `failed`, with the
    store's error). `sync`: queue its initial sync right away when the test succeeds."""

    force: bool = False
    sync: bool = False

    def to_core(self) -> StoreCreate:
        return StoreCreate.model_validate(
            {
                **{name: getattr(self, name) for name in StoreCreate.model_fields},
                **self.credentials(),
            }
        )


class StoreUpdateRequest(StoreUpdate):
    """A change to a store (the core's `StoreUpdate`); `force` saves new connection settings even
    if their test fails."""

    force: bool = False

    def to_core(self) -> StoreUpdate:
        return StoreUpdate.model_validate(
            {
                **{
                    name: getattr(self, name)
                    for name in StoreUpdate.model_fields
                    if name in self.model_fields_set
                },
                **self.credentials(),
            }
        )


class StoreList(BaseModel):
    """`GET /api/stores`: the tenant's stores, by name."""

    items: list[StoreRead]
