"""The fake store's bulk operations: `bulkOperationRunQuery` starts one, the store's clock moves it
from CREATED through RUNNING to COMPLETED (at `rate` objects per second, each operation on its
own), and its JSONL result is served from another host (`storage_host`), as Shopify serves it from
cloud storage with a signed URL: requests there need no token, and the store records whether one
came anyway.

How many bulk queries may run at once per shop depends on the API version of the request
(shopify.dev, "Perform bulk operations with the GraphQL Admin API"): one before 2026-01, five from
2026-01 ("split large imports and exports into parallel jobs", changelog 2025-12-15). A query over
the limit is refused with a `userErrors` entry: before 2026-01 `OPERATION_IN_PROGRESS` with the
message apps have long matched on; from 2026-01 `LIMIT_REACHED` ("Bulk operations limit reached",
the `BulkOperationUserErrorCode` documentation; which of the two codes Shopify sends for a sixth
query is not documented, and clients should treat both as "try again later").

`outcome` makes the next operations end otherwise (`outcomes`: one operation each, in order):
`"failed"` (FAILED half way through, INTERNAL_SERVER_ERROR, no data), `"partial"` (FAILED with a
`partialDataUrl`), `"canceled"`, `"empty"` (COMPLETED without a file although the catalog has
products: a broken answer the SDK must not trust), or `"truncated"` (a file cut after half its
lines).

Objects are grouped under their parents (each product's variants and media on the lines right
after it) only when the query asks `groupObjects: true`: the default is false from API 2026-01,
and then the fake writes each hundred products' lines first and their children after them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from g4hub_connectors.testing._asgi import Request, Response
from g4hub_connectors.testing.shopify._graphql_doc import (
    Document,
    Field,
    GraphQLSyntaxError,
    fields_of,
    parse,
)
from g4hub_connectors.testing.shopify._graphql_exec import flatten_rows

__all__ = ["BULK_PATH", "EXPORT_RATE", "BulkOperations", "concurrent_queries"]

BULK_PATH = "/fake-bulk-storage/"
_UNGROUPED_RUN = 100
"""Products whose lines an ungrouped result writes before their children's."""
EXPORT_RATE = 20_000.0
"""Objects (JSONL lines) one bulk query writes per second of the store's clock: an assumption.
Shopify documents no export rate; its changelog says only that bulk queries became "up to 4X
faster" (2026-06-17). Benchmarks built on this figure say so."""
CONCURRENT_QUERIES = 5
"""Bulk queries that may run at once per shop from API 2026-01."""
CONCURRENT_QUERIES_BEFORE_2026_01 = 1
"""... and before 2026-01: one bulk query (and one bulk mutation) at a time per shop."""


def concurrent_queries(version: str) -> int:
    """How many bulk queries a request at API `version` may have running at once on a shop."""
    if version == "unstable" or version >= "2026-01":
        return CONCURRENT_QUERIES
    return CONCURRENT_QUERIES_BEFORE_2026_01


@dataclass
class _Operation:
    number: int
    document: Document
    root: Field
    started: float
    objects: int
    roots: int
    outcome: str | None
    grouped: bool = False
    canceled: bool = False

    @property
    def gid(self) -> str:
        return f"gid://shopify/BulkOperation/{self.number}"


class BulkOperations:
    """Bulk operations of one fake store (`store` is the `FakeShopifyStore`)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.rate = EXPORT_RATE
        """Objects each operation writes per second of the store's clock (`EXPORT_RATE`)."""
        self.outcome: str | None = None
        self.outcomes: list[str | None] = []
        """Outcomes of the next operations, one each in order, before `outcome` applies."""
        self.peak_running = 0
        """The most operations that held the shop's slots at once."""
        self.storage_host: str | None = None
        """Where results are served (default: a `.localhost` name in-process; `localhost` on the
        same port when the store is served, another origin than `127.0.0.1`)."""
        self.operations: dict[int, _Operation] = {}
        self.downloads: list[dict[str, str]] = []
        """Headers of every request to the storage host (for "no token there" assertions)."""
        self._numbers = itertools.count(4_410_000_000_001, 2)

    # -- mutations and queries --------------------------------------------------------------------

    def run(
        self, query: Any, *, group_objects: Any = None, version: str = "unstable"
    ) -> dict[str, Any]:
        """`bulkOperationRunQuery(query:, groupObjects:)`'s payload, for a request at API
        `version` (which sets how many bulk queries may run at once)."""
        if not isinstance(query, str):
            return self._error(["query"], "Query is required", "INVALID")
        try:
            document = parse(query)
            root = next(iter(fields_of(document.operation(None).selections, {}, None)))
        except (GraphQLSyntaxError, StopIteration) as exc:
            return self._error(["query"], f"Invalid bulk query: {exc}", "INVALID")
        if root.name != "products":
            return self._error(["query"], "Bulk queries here must start at products.", "INVALID")
        limit = concurrent_queries(version)
        if len(self.running()) >= limit:
            if limit == CONCURRENT_QUERIES_BEFORE_2026_01:
                return self._error(
                    None,
                    "A bulk query operation for this app and shop is already in progress.",
                    "OPERATION_IN_PROGRESS",
                )
            return self._error(
                None, "Bulk operations limit reached. Please try again later.", "LIMIT_REACHED"
            )
        objects, roots = self._count_objects(root)
        operation = _Operation(
            number=next(self._numbers),
            document=document,
            root=root,
            started=self.store.clock(),
            objects=objects,
            roots=roots,
            outcome=self.outcomes.pop(0) if self.outcomes else self.outcome,
            grouped=group_objects is True,
        )
        self.operations[operation.number] = operation
        self.peak_running = max(self.peak_running, len(self.running()))
        return {
            "bulkOperation": {
                "id": operation.gid,
                "status": "CREATED",
                "__typename": "BulkOperation",
            },
            "userErrors": [],
        }

    def running(self) -> list[_Operation]:
        """The operations that hold one of the shop's slots (CREATED or RUNNING)."""
        return [
            op for op in self.operations.values() if self._status(op)[0] in ("CREATED", "RUNNING")
        ]

    def cancel(self, gid: Any) -> dict[str, Any]:
        operation = self._find(gid)
        if operation is None:
            return self._error(["id"], "Bulk operation does not exist", None)
        operation.canceled = True
        return {"bulkOperation": self.view(operation), "userErrors": []}

    def get(self, gid: Any) -> dict[str, Any] | None:
        operation = self._find(gid)
        return self.view(operation) if operation is not None else None

    def current(self) -> dict[str, Any] | None:
        if not self.operations:
            return None
        return self.view(self.operations[max(self.operations)])

    @staticmethod
    def _error(field: list[str] | None, message: str, code: str | None) -> dict[str, Any]:
        return {
            "bulkOperation": None,
            "userErrors": [{"field": field, "message": message, "code": code}],
        }

    def _find(self, gid: Any) -> _Operation | None:
        prefix = "gid://shopify/BulkOperation/"
        if (
            not isinstance(gid, str)
            or not gid.startswith(prefix)
            or not gid[len(prefix) :].isdigit()
        ):
            return None
        return self.operations.get(int(gid[len(prefix) :]))

    def _status(self, operation: _Operation) -> tuple[str, int]:
        elapsed = self.store.clock() - operation.started
        if operation.canceled or operation.outcome == "canceled":
            return "CANCELED", 0
        if elapsed < 0.05:
            return "CREATED", 0
        duration = 0.1 + operation.objects / self.rate
        if operation.outcome in ("failed", "partial"):
            # It fails half way through, with half of its objects written.
            duration /= 2
        if elapsed < duration:
            return "RUNNING", int(operation.objects * elapsed / duration)
        if operation.outcome in ("failed", "partial"):
            return "FAILED", operation.objects // 2
        return "COMPLETED", operation.objects

    def view(self, operation: _Operation) -> dict[str, Any]:
        status, count = self._status(operation)
        # Root objects (products) are written at the same pace as the rest.
        roots = operation.roots * count // operation.objects if operation.objects else 0
        url = partial = None
        error_code = None
        signature = hashlib.sha256(f"bulk-{operation.number}".encode()).hexdigest()[:24]
        link = f"{self._storage()}{BULK_PATH}{operation.number}.jsonl?X-Goog-Signature={signature}"
        if status == "COMPLETED" and operation.outcome != "empty" and count:
            url = link
        if status == "FAILED":
            error_code = "INTERNAL_SERVER_ERROR"
            if operation.outcome == "partial":
                partial = link + "&partial=1"
        return {
            "__typename": "BulkOperation",
            "id": operation.gid,
            "status": status,
            "errorCode": error_code,
            "objectCount": str(count),
            "rootObjectCount": str(roots),
            "fileSize": None,
            "url": url,
            "partialDataUrl": partial,
            "createdAt": None,
            "completedAt": None,
            "query": None,
            "type": "QUERY",
        }

    def _storage(self) -> str:
        if self.storage_host is not None:
            return self.storage_host
        parts = urlsplit(self.store.url)
        if parts.hostname == "127.0.0.1":
            return f"{parts.scheme}://localhost:{parts.port}"
        return "https://storage.fake-shopify.localhost"

    # -- results ----------------------------------------------------------------------------------

    def _indexes(self, root: Field) -> Iterator[int]:
        search = root.args.get("query")
        indexes: Iterator[int] = self.store.graphql.matching(
            search if isinstance(search, str) else None
        )
        return indexes

    def _count_objects(self, root: Field) -> tuple[int, int]:
        """`(objects, root objects)`: every line of the result, and the products among them."""
        views = self.store.graphql.views
        total = roots = 0
        for index in self._indexes(root):
            state = views.catalog.states.get(index)
            images = (state.seed if state else views.catalog.state(index).seed).image_count
            total += 1 + views.variant_count(index) + images
            roots += 1
        return total, roots

    def rows(self, operation: _Operation) -> Iterator[bytes]:
        views = self.store.graphql.views
        node_selection: list[Any] = []
        for sub in fields_of(operation.root.selections or [], operation.document.fragments, None):
            if sub.name == "edges":
                for inner in fields_of(sub.selections or [], operation.document.fragments, None):
                    if inner.name == "node":
                        node_selection = inner.selections or []
            elif sub.name == "nodes":
                node_selection = sub.selections or []
        fragments = operation.document.fragments
        parents: list[bytes] = []
        children: list[bytes] = []
        for index in self._indexes(operation.root):
            product = views.product(index)
            for row in flatten_rows(node_selection, product, fragments):
                line = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                if operation.grouped:
                    yield line
                else:
                    (children if "__parentId" in row else parents).append(line)
            if len(parents) >= _UNGROUPED_RUN:
                yield from parents
                yield from children
                parents, children = [], []
        yield from parents
        yield from children

    def download(self, request: Request) -> Response:
        """A GET on the storage host: the JSONL file of a finished operation."""
        self.downloads.append(dict(request.headers))
        name = request.path[len(BULK_PATH) :].removesuffix(".jsonl")
        operation = self.operations.get(int(name)) if name.isdigit() else None
        if operation is None or request.param("X-Goog-Signature") is None:
            return Response(
                404, b"<Error><Code>NoSuchKey</Code></Error>", [("content-type", "application/xml")]
            )
        lines = list(self.rows(operation))
        if request.param("partial") or operation.outcome == "truncated":
            lines = lines[: len(lines) // 2]
        return Response(200, b"".join(lines), [("content-type", "application/jsonl")])
