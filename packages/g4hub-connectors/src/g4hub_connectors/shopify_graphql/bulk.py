"""Bulk export of a whole catalog: `bulkOperationRunQuery`, poll until the operation ends, then
stream its JSONL result line by line.

In the JSONL file nested connections are flattened: each variant and medium is a line of its own
carrying `__parentId`, the product's GID, and follows its product: the query asks for
`groupObjects: true`, since from API 2026-01 Shopify no longer groups children under their parents
by default (grouping is documented as slower, by no stated amount). Products are rebuilt one at a
time and handed on in batches, so memory stays flat whatever the catalog's size.

A bulk operation that failed, was cancelled or expired never reads as an empty catalog: it raises
`BulkExportError` (with the `partialDataUrl` when Shopify kept partial data, for diagnosis). Up to
five bulk queries may run per shop from API 2026-01: `partition.py` splits a large export into
id ranges and runs them side by side through `run_bulk_query`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pydantic_core

from g4hub_connectors.errors import (
    PermissionDeniedError,
    PlatformUnavailableError,
    UnexpectedResponseError,
)
from g4hub_connectors.shopify_graphql.client import GraphQLClient, load_query
from g4hub_connectors.shopify_graphql.jsonl import ProductAssembler
from g4hub_connectors.shopify_graphql.payloads import BulkOperationPayload, UserError

__all__ = [
    "BulkExportError",
    "bulk_products_query",
    "cancel_bulk_operation",
    "run_bulk_query",
    "stream_products",
]

logger = logging.getLogger("g4hub_connectors.shopify_graphql.bulk")

_TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})
_BUSY_CODES = frozenset({"OPERATION_IN_PROGRESS", "LIMIT_REACHED"})


class BulkExportError(PlatformUnavailableError):
    """The bulk operation did not complete (failed, cancelled or expired): nothing it produced is
    a complete catalog. `partial_data_url` is where Shopify kept what it had, if anything."""

    def __init__(
        self,
        detail: str,
        *,
        status: str,
        error_code: str | None = None,
        partial_data_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.partial_data_url = partial_data_url
        super().__init__(detail, **kwargs)


def bulk_products_query(search: str | None) -> str:
    """The bulk query over every product (those matching `search`, Shopify's query syntax)."""
    text = load_query("bulk_products")
    filter_ = "" if search is None else f"(query: {pydantic_core.to_json(search).decode()})"
    return text.replace("__FILTER__", filter_)


async def run_bulk_query(
    client: GraphQLClient,
    query: str,
    *,
    poll_interval: float = 0.5,
    max_poll_interval: float = 10.0,
    busy_attempts: int = 30,
    expected_roots: int | None = None,
    on_start: Callable[[str], None] | None = None,
) -> BulkOperationPayload:
    """Start a bulk query and wait for it to end; the COMPLETED operation, or an error.
    `on_start` receives the operation's id once Shopify has accepted it.

    Polls come `poll_interval` after the start, then each half as long again as the last (up to
    `max_poll_interval`); once the operation reports the products it has written
    (`rootObjectCount`) against `expected_roots`, the next poll comes after half the time the
    rest should take at its pace so far, so the result is fetched soon after it is ready."""
    operation: BulkOperationPayload | None = None
    for _ in range(busy_attempts):
        data = await client.execute("bulk_run", {"query": query}, estimate=10, idempotent=False)
        result = data.get("bulkOperationRunQuery") or {}
        errors = [UserError.model_validate(e) for e in result.get("userErrors") or []]
        if errors and all(e.code in _BUSY_CODES for e in errors):
            # The shop's bulk slots are taken (another app instance, another store's sync on the
            # same shop): wait for one to free up rather than fail the sync.
            await client.pause(max_poll_interval)
            continue
        if errors:
            raise client.user_error("bulkOperationRunQuery", errors)
        raw = result.get("bulkOperation")
        if not isinstance(raw, dict):
            raise UnexpectedResponseError(
                "bulkOperationRunQuery answered without an operation", platform="shopify"
            )
        operation = BulkOperationPayload.model_validate(raw)
        if on_start is not None:
            on_start(operation.id)
        break
    if operation is None:
        raise BulkExportError(
            "no bulk operation slot came free", status="NOT_STARTED", platform="shopify"
        )
    started = client.clock()
    wait = poll_interval
    while operation.status not in _TERMINAL:
        await client.pause(wait)
        data = await client.execute("bulk_status", {"id": operation.id}, estimate=2)
        raw = data.get("bulkOperation")
        if not isinstance(raw, dict):
            raise UnexpectedResponseError(
                f"bulk operation {operation.id} vanished while running", platform="shopify"
            )
        operation = BulkOperationPayload.model_validate(raw)
        logger.debug(
            "bulk %s: %s, %s objects", operation.id, operation.status, operation.objectCount
        )
        wait = _next_wait(
            wait,
            elapsed=client.clock() - started,
            done=operation.rootObjectCount,
            expected=expected_roots,
            shortest=poll_interval,
            longest=max_poll_interval,
        )
    if operation.status != "COMPLETED":
        raise _failure(operation)
    return operation


async def cancel_bulk_operation(client: GraphQLClient, operation_id: str) -> None:
    """Ask Shopify to cancel a running bulk operation (`bulkOperationCancel`), freeing its slot
    for the shop's next export. Shopify may finish it anyway; nothing waits for that."""
    data = await client.execute("bulk_cancel", {"id": operation_id}, estimate=10)
    errors = (data.get("bulkOperationCancel") or {}).get("userErrors") or []
    if errors:
        # An operation that ended meanwhile cannot be cancelled: nothing to free.
        logger.info("bulk %s not cancelled: %s", operation_id, errors[0].get("code"))


def _next_wait(
    wait: float,
    *,
    elapsed: float,
    done: int | str | None,
    expected: int | None,
    shortest: float,
    longest: float,
) -> float:
    if isinstance(done, str):
        done = int(done) if done.isdigit() else None
    written = done or 0
    if expected and 0 < written < expected and elapsed > 0:
        remaining = elapsed * (expected - written) / written
        return min(max(remaining / 2, shortest), longest)
    return min(wait * 1.5, longest)


def _failure(operation: BulkOperationPayload) -> Exception:
    detail = (
        f"bulk operation {operation.id} ended {operation.status}"
        f" ({operation.errorCode or 'no error code'}); "
        f"{'partial data kept' if operation.partialDataUrl else 'no partial data'}"
    )
    if operation.errorCode == "ACCESS_DENIED":
        return PermissionDeniedError(
            detail,
            missing_scopes=("read_products",),
            platform="shopify",
            platform_code="ACCESS_DENIED",
        )
    return BulkExportError(
        detail,
        status=operation.status,
        error_code=operation.errorCode,
        partial_data_url=operation.partialDataUrl,
        platform="shopify",
        platform_code=operation.errorCode,
        user_message=(
            "Shopify could not finish exporting your catalog "
            f"({operation.status.lower()}). Nothing was changed; please run the sync again."
        ),
    )


async def stream_products(
    client: GraphQLClient,
    url: str,
    *,
    expected_objects: int | None = None,
    batch_rows: int = 64,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Products rebuilt from the JSONL at `url`, in batches: each a product line with its
    variants and media gathered into `variants.nodes` and `media.nodes`, as a paged query has
    them; every row validated (`BulkRow`), unknown keys kept. When the file holds fewer lines
    than the operation's `expected_objects`, the last batch is withheld and
    `UnexpectedResponseError` raised: a cut-off file is no catalog.

    A batch ends with the first whole product that brings it to `batch_rows` lines: small
    batches are mapped while their rows are still in the processor's cache (batches of 250
    products decoded and mapped a quarter slower per line than batches of 64 lines)."""
    assembler = ProductAssembler()
    batch_lines = 0
    batch: list[dict[str, Any]] = []
    async for block in client.stream_blocks(url):
        for product in assembler.feed(block):
            batch.append(product)
            batch_lines += 1 + len(product["variants"]["nodes"]) + len(product["media"]["nodes"])
            if batch_lines >= batch_rows:
                yield batch
                batch, batch_lines = [], 0
    if expected_objects is not None and assembler.lines != expected_objects:
        raise UnexpectedResponseError(
            f"bulk result holds {assembler.lines} objects, "
            f"the operation reported {expected_objects}",
            platform="shopify",
        )
    last = assembler.finish()
    if last is not None:
        batch.append(last)
    if batch:
        yield batch
