"""Changing products at their stores, and the trail of every change.

    PATCH /api/stores/{id}/products/{product_id}    one product or variant -> the outcome
    POST  /api/stores/{id}/products/bulk-update     up to 1,000 changes    -> 202, a job
    GET   /api/write-jobs/{job_id}                  the job's progress and per-item results
    GET   /api/audit?store_id=&product_id=&rule_id=&format=csv

A change carries what it expects (`expected`, `If-Match` with the `ETag` a change returned, or by
default the hub's row): when the store holds something else the change is refused with 409
`write_conflict` and nothing is written. Every outcome, refused or not, leaves the hub's row as
the store has it and is kept in the audit trail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Literal

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_202_ACCEPTED,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_502_BAD_GATEWAY,
)
from pydantic import BaseModel, ConfigDict, Field

from g4hub_core import Unit
from g4hub_core.writes import MAX_BULK_ITEMS, AuditPage, BulkItem, ProductChange, WriteJobRead
from g4hub_core.writes.schemas import WriteOutcome
from hub_api.auth.openapi import HubOperation
from hub_api.auth.principal import Principal
from hub_api.errors import documented_errors, error_body
from hub_api.stores.controller import StoreController

__all__ = ["AuditController", "WriteController", "WriteJobController"]

StoreId = Annotated[uuid.UUID, PathParameter(description="The store's id.")]
ProductId = Annotated[str, PathParameter(description="The platform's product id.", max_length=100)]

_STATUS = {
    "applied": HTTP_200_OK,
    "conflict": HTTP_409_CONFLICT,
    "not_applied": HTTP_422_UNPROCESSABLE_ENTITY,
    "failed": HTTP_502_BAD_GATEWAY,
}


class BulkUpdateRequest(BaseModel):
    """Up to 1,000 changes to one store's products, written in order."""

    model_config = ConfigDict(extra="forbid")

    items: list[BulkItem] = Field(min_length=1, max_length=MAX_BULK_ITEMS)


def _answer(outcome: WriteOutcome) -> Response[dict[str, object]]:
    body: dict[str, object] = outcome.model_dump(mode="json")
    if outcome.status != "applied":
        body = {
            **error_body(
                outcome.error_code or outcome.status,
                outcome.message or "The change was not written.",
                {"current": body["current"], "fields": body["fields"]},
            ),
            "result": body,
        }
    headers = {"ETag": f'"{outcome.etag}"'} if outcome.etag else {}
    return Response(body, status_code=_STATUS[outcome.status], headers=headers)


class WriteController(StoreController):
    """The store routes plus the write routes. A subclass, not a sibling: Litestar refuses two
    controllers with handlers on one path (each would bring its own OPTIONS handler), and
    `PATCH .../products/{product_id}` shares its path with the product read. Registered in
    place of `StoreController`."""

    @patch(
        "/{store_id:uuid}/products/{product_id:str}",
        summary="Change a product at its store",
        tags=["writes"],
        raises=documented_errors(
            HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY, HTTP_502_BAD_GATEWAY
        ),
    )
    async def update_product(
        self,
        unit: NamedDependency[Unit],
        principal: NamedDependency[Principal],
        store_id: StoreId,
        product_id: ProductId,
        data: JSONBody[ProductChange],
        if_match: Annotated[
            str | None,
            HeaderParameter(
                name="If-Match",
                max_length=80,
                description="The `ETag` a previous change returned: refused (409) if the hub's "
                "row changed since.",
            ),
        ] = None,
    ) -> Response[dict[str, object]]:
        """Write price, sale price, stock or stock tracking of a product (or of its variant
        `variant_id`) to the store, verified by re-reading it, then stored in the hub. 200 with
        the outcome (and an `ETag`); 409 `write_conflict` / `stale_etag` when the store (or the
        hub's row) holds another value than expected, 422 `write_not_applied` when the store
        kept its value, 502 when the store failed; each with `result`, the outcome."""
        if if_match is not None and data.if_match is None:
            data = data.model_copy(update={"if_match": if_match})
        outcome = await unit.writes.update(store_id, product_id, data, actor=principal.email)
        return _answer(outcome)

    @post(
        "/{store_id:uuid}/products/bulk-update",
        status_code=HTTP_202_ACCEPTED,
        summary="Change many products at a store",
        tags=["writes"],
    )
    async def bulk_update(
        self,
        unit: NamedDependency[Unit],
        principal: NamedDependency[Principal],
        store_id: StoreId,
        data: JSONBody[BulkUpdateRequest],
    ) -> WriteJobRead:
        """Queue up to 1,000 changes (each as `PATCH` takes it, plus `product_id`); 202 with the
        job. Follow it at `GET /api/write-jobs/{id}`."""
        return await unit.bulk_writes.request(store_id, data.items, actor=principal.email)


class WriteJobController(Controller):
    path = "/api/write-jobs"
    tags = ["writes"]

    @get("/{job_id:uuid}", summary="Follow a bulk change")
    async def get_job(
        self,
        unit: NamedDependency[Unit],
        job_id: Annotated[uuid.UUID, PathParameter(description="The job's id.")],
    ) -> WriteJobRead:
        """The job's status, progress and each finished item's outcome, in order."""
        return await unit.bulk_writes.get(job_id)


@dataclass
class AuditOperation(HubOperation):
    """`GET /api/audit`'s 200: the page as JSON, or with `format=csv` every match as CSV (the
    route's union return type would publish an `oneOf` of the page and anything)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        ok = (self.responses or {}).get("200")
        if not isinstance(ok, OpenAPIResponse) or not ok.content:
            return
        media = ok.content.get("application/json")
        if media is not None and isinstance(media.schema, Schema) and media.schema.one_of:
            media.schema = media.schema.one_of[0]
        ok.content["text/csv"] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))


class AuditController(Controller):
    path = "/api/audit"
    tags = ["writes"]

    @get("/", summary="The audit trail of writes", operation_class=AuditOperation)
    async def audit(
        self,
        unit: NamedDependency[Unit],
        store_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        product_id: Annotated[str | None, QueryParameter(max_length=100)] = None,
        rule_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        job_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        format: Annotated[Literal["json", "csv"], QueryParameter()] = "json",
    ) -> AuditPage | Response[str]:
        """Every write the hub made or tried (who or which rule, store, product, variant, field,
        old and new value, result, time), newest first. `format=csv`: every match as CSV."""
        if format == "csv":
            # Read whole inside the request's unit: a stream would read after it has closed.
            chunks = unit.audit.csv(store_id=store_id, product_id=product_id, rule_id=rule_id)
            return Response(
                "".join([chunk async for chunk in chunks]),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
            )
        return await unit.audit.page(
            store_id=store_id,
            product_id=product_id,
            rule_id=rule_id,
            job_id=job_id,
            cursor=cursor,
            limit=limit,
        )
