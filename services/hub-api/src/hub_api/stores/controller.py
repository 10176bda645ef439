"""`/api/stores`: a tenant's stores, their connection tests, syncs and synced products.

Every route works through the request's unit (the signed-in tenant's): another tenant's store id
is `NotFound` in the core, so 404 here, exactly as an unknown id.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_202_ACCEPTED,
    HTTP_204_NO_CONTENT,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_502_BAD_GATEWAY,
    HTTP_504_GATEWAY_TIMEOUT,
)

from g4hub_core import Conflict, Hub, Unit
from g4hub_core.catalog.schemas import ProductDetail, ProductList
from g4hub_core.catalog.service import MAX_PER_PAGE, MAX_QUERY_LENGTH
from g4hub_core.stores.schemas import ConnectionCheck, StoreCredentials, StoreRead
from g4hub_core.sync.schemas import SyncLogRead
from g4hub_core.sync.service import RequestedMode
from hub_api.errors import documented_errors
from hub_api.stores.openapi import store_body_operation
from hub_api.stores.schemas import (
    StoreCreateRequest,
    StoreList,
    StoreUpdateRequest,
)

__all__ = ["StoreController"]

StoreId = Annotated[uuid.UUID, PathParameter(description="The store's id.")]
Force = Annotated[
    bool,
    QueryParameter(
        description="Save even if the connection test fails (as `failed`, with the error). "
        "The body's `force` does the same.",
    ),
]


class StoreController(Controller):
    path = "/api/stores"
    tags = ["stores"]

    @get("/", summary="List the stores")
    async def list_stores(self, unit: NamedDependency[Unit]) -> StoreList:
        """The tenant's stores, by name. Credentials never appear, only `credentials_hint`."""
        return StoreList(items=await unit.dashboard.with_health(await unit.stores.list()))

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Add a store",
        raises=documented_errors(HTTP_409_CONFLICT, HTTP_502_BAD_GATEWAY, HTTP_504_GATEWAY_TIMEOUT),
        operation_class=store_body_operation("create"),
    )
    async def create_store(
        self,
        unit: NamedDependency[Unit],
        hub: NamedDependency[Hub],
        data: JSONBody[StoreCreateRequest],
        force: Force = False,
    ) -> StoreRead:
        """Test the store's connection and save it. A store that refuses answers its error
        (422 for settings to fix, 502 when it failed, 504 when it timed out) and is not saved,
        unless `force`. With `sync`, a connected store's initial sync is queued at once."""
        store = await unit.stores.create(data.to_core(), force=force or data.force)
        if data.sync and store.connection_status == "connected":
            await unit.sync.request(store.id, trigger="initial")
        # Real-time updates (webhooks), once the store's row is committed.
        unit.after_commit(partial(hub.webhooks.adopt, unit.tenant_id, store.id))
        return (await unit.dashboard.with_health([store]))[0]

    @post(
        "/test-connection",
        status_code=HTTP_200_OK,
        summary="Check credentials",
        operation_class=store_body_operation("credentials"),
    )
    async def test_connection(
        self, unit: NamedDependency[Unit], data: JSONBody[StoreCredentials]
    ) -> ConnectionCheck:
        """Test connection settings before saving anything. A store that refuses is an answer
        (`success: false` with `error: {code, message}`), not an error; 422 only for settings
        that cannot work (a missing key, a malformed URL, a private host)."""
        return await unit.stores.check(data)

    @get("/{store_id:uuid}", summary="Read a store")
    async def get_store(self, unit: NamedDependency[Unit], store_id: StoreId) -> StoreRead:
        return (await unit.dashboard.with_health([await unit.stores.get(store_id)]))[0]

    @put(
        "/{store_id:uuid}",
        summary="Change a store",
        raises=documented_errors(HTTP_409_CONFLICT, HTTP_502_BAD_GATEWAY, HTTP_504_GATEWAY_TIMEOUT),
        operation_class=store_body_operation("update"),
    )
    async def update_store(
        self,
        unit: NamedDependency[Unit],
        store_id: StoreId,
        data: JSONBody[StoreUpdateRequest],
        force: Force = False,
    ) -> StoreRead:
        """Only the fields given change. New connection settings are tested first: a failure
        changes nothing (the store's error is answered) unless `force`."""
        store = await unit.stores.update(store_id, data.to_core(), force=force or data.force)
        return (await unit.dashboard.with_health([store]))[0]

    @delete("/{store_id:uuid}", status_code=HTTP_204_NO_CONTENT, summary="Remove a store")
    async def delete_store(
        self, unit: NamedDependency[Unit], hub: NamedDependency[Hub], store_id: StoreId
    ) -> None:
        """Remove the store with its synced products and sync logs (and its webhook
        subscriptions at the store, when it can be reached)."""
        await unit.stores.get(store_id)
        await hub.webhooks.unsubscribe(unit.tenant_id, store_id)
        await unit.stores.delete(store_id)

    @post(
        "/{store_id:uuid}/test",
        status_code=HTTP_200_OK,
        summary="Test a saved store",
        raises=documented_errors(HTTP_422_UNPROCESSABLE_ENTITY),
    )
    async def test_store(self, unit: NamedDependency[Unit], store_id: StoreId) -> StoreRead:
        """Test the store's connection and answer the store with the outcome recorded
        (`connection_status`, `last_connection_test`, `last_error_code`, `last_error_message`).
        A store that refuses is recorded, not an error."""
        return (await unit.dashboard.with_health([await unit.stores.test(store_id)]))[0]

    @post(
        "/{store_id:uuid}/sync",
        status_code=HTTP_202_ACCEPTED,
        summary="Sync a store",
        raises=documented_errors(HTTP_409_CONFLICT),
    )
    async def sync_store(
        self,
        unit: NamedDependency[Unit],
        store_id: StoreId,
        mode: Annotated[
            RequestedMode,
            QueryParameter(
                description="full lists the whole catalog and removes what the store no longer "
                "has; incremental asks only for changes since the last good sync; auto (the "
                "default) is full for a sync asked for by hand."
            ),
        ] = "auto",
    ) -> SyncLogRead:
        """Queue a sync and answer its log; it runs in the background (poll
        `GET /api/sync/logs/{id}`). 409 `sync_already_running`, with that sync's log in
        `details.sync`, when the store already has one queued or running."""
        await unit.stores.get(store_id)
        running = await unit.sync.active(store_id)
        if running is not None:
            raise _already_running(running)
        # Two requests racing past the check both get 202 with the one log the core keeps (a
        # store has one active sync at most): the same outcome, so no need to tell them apart.
        return await unit.sync.request(store_id, trigger="manual", mode=mode)

    @get("/{store_id:uuid}/products", summary="List a store's products")
    async def list_products(
        self,
        unit: NamedDependency[Unit],
        store_id: StoreId,
        page: Annotated[int, QueryParameter(ge=1, le=1_000_000, description="From 1.")] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=MAX_PER_PAGE)] = 50,
        q: Annotated[
            str | None,
            QueryParameter(max_length=MAX_QUERY_LENGTH, description="Part of a name or SKU."),
        ] = None,
    ) -> ProductList:
        """One page of the products the hub last synced, by name; `q` searches names and SKUs
        (ignoring case). `total` counts every match."""
        return await unit.catalog.list_products(store_id, page=page, per_page=per_page, q=q)

    @get("/{store_id:uuid}/products/{product_id:str}", summary="Read one product")
    async def get_product(
        self,
        unit: NamedDependency[Unit],
        store_id: StoreId,
        product_id: Annotated[str, PathParameter(description="The platform's product id.")],
    ) -> ProductDetail:
        """One product with its full synced document (the platform's own JSON under `raw`)."""
        return await unit.catalog.get_product(store_id, product_id)


def _already_running(log: SyncLogRead) -> Conflict:
    return Conflict(
        "This store is already being synced. Wait for that sync to finish.",
        code="sync_already_running",
        details={"sync": log.model_dump(mode="json")},
    )
