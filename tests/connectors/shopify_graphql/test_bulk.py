"""Bulk export: the whole catalog through one bulk operation, streamed; never an empty catalog
from a failed, partial or cut-off result; never the token on the storage host."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

import g4hub_connectors as gc
from g4hub_connectors.shopify_graphql import BulkExportError, ShopifyGraphQLConnector
from g4hub_connectors.shopify_graphql.bulk import bulk_products_query, stream_products
from g4hub_connectors.testing import FakeShopifyGraphQLStore

from .conftest import VirtualClock, connect, make_store


async def test_a_bulk_sync_matches_the_catalog_exactly(clock: VirtualClock) -> None:
    store = make_store(clock, products=120)
    store.graphql.views.variant_counts.update({7: 300, 50: 2_048, 119: 120})
    async with connect(store, clock) as connector:
        paged = {p.id: p async for p in connector.iter_products(bulk=False)}
        bulk = [p async for p in connector.iter_products(bulk=True)]
    assert [p.id for p in bulk] == sorted(store.product_ids(), key=int)
    for product in bulk:
        assert product.model_dump(exclude={"raw"}) == paged[product.id].model_dump(exclude={"raw"})
    big = {p.id: p for p in bulk}[store.product_ids()[50]]
    assert len(big.variants) == 2_048
    assert len(store.graphql.bulk.operations) == 1


async def test_large_catalogs_go_bulk_on_their_own(clock: VirtualClock) -> None:
    store = make_store(clock, products=30)
    async with connect(store, clock, bulk_threshold=25) as connector:
        ids = [p.id async for p in connector.iter_products()]
        assert len(store.graphql.bulk.operations) == 1
        # An incremental listing pages: it is small by nature.
        may = datetime(2024, 5, 1, tzinfo=UTC)
        since = [p async for p in connector.iter_products(updated_since=may)]
        assert len(store.graphql.bulk.operations) == 1
    assert sorted(ids) == sorted(store.product_ids())
    assert since


async def test_the_token_never_reaches_the_bulk_download_host(clock: VirtualClock) -> None:
    store = make_store(clock, products=15)
    async with connect(store, clock) as connector:
        ids = [p.id async for p in connector.iter_products(bulk=True)]
    assert len(ids) == 15
    downloads = store.graphql.bulk.downloads
    assert len(downloads) == 1
    assert downloads[0]["host"] == "storage.fake-shopify.localhost"
    headers = {name.lower() for name in downloads[0]}
    assert "x-shopify-access-token" not in headers
    assert store.access_token not in str(downloads[0])


async def test_over_loopback_the_file_comes_from_another_origin() -> None:
    store = FakeShopifyGraphQLStore(products=12)
    with store.serve() as url:
        async with gc.create_connector(store.credentials()) as connector:
            assert isinstance(connector, ShopifyGraphQLConnector)
            ids = [p.id async for p in connector.iter_products(bulk=True)]
    assert sorted(ids) == sorted(store.product_ids())
    download = store.graphql.bulk.downloads[0]
    assert url.startswith("http://127.0.0.1:")
    assert download["host"].startswith("localhost:")
    assert "x-shopify-access-token" not in {name.lower() for name in download}


@pytest.mark.parametrize("outcome", ["failed", "partial", "canceled"])
async def test_a_failed_bulk_operation_is_an_error_not_an_empty_catalog(
    clock: VirtualClock, outcome: str
) -> None:
    store = make_store(clock, products=20)
    store.graphql.bulk.outcome = outcome
    async with connect(store, clock) as connector:
        with pytest.raises(BulkExportError) as caught:
            _ = [p async for p in connector.iter_products(bulk=True)]
    assert caught.value.retryable
    assert caught.value.status in ("FAILED", "CANCELED")
    assert (caught.value.partial_data_url is not None) == (outcome == "partial")
    assert "could not finish exporting" in caught.value.user_message


async def test_a_completed_operation_without_a_file_is_not_an_empty_catalog(
    clock: VirtualClock,
) -> None:
    store = make_store(clock, products=20)
    store.graphql.bulk.outcome = "empty"
    async with connect(store, clock) as connector:
        with pytest.raises(gc.UnexpectedResponseError, match="counts 20 products"):
            _ = [p async for p in connector.iter_products(bulk=True)]


async def test_an_empty_store_exports_nothing_without_error(clock: VirtualClock) -> None:
    store = make_store(clock, products=0)
    async with connect(store, clock) as connector:
        assert [p async for p in connector.iter_products(bulk=True)] == []


async def test_a_cut_off_file_ends_in_an_error_before_the_last_batch(clock: VirtualClock) -> None:
    store = make_store(clock, products=30)
    store.graphql.bulk.outcome = "truncated"
    async with connect(store, clock) as connector:
        with pytest.raises(gc.UnexpectedResponseError, match="objects"):
            _ = [p async for p in connector.iter_products(bulk=True)]


async def test_polling_waits_on_the_clock_until_the_operation_completes(
    clock: VirtualClock,
) -> None:
    store = make_store(clock, products=50)
    store.graphql.bulk.rate = 20.0  # a slow export: a few seconds of the store's clock
    async with connect(store, clock) as connector:
        ids = [p.id async for p in connector.iter_products(bulk=True)]
    assert len(ids) == 50
    polls = [q for q in store.graphql.queries if q[0] == "BulkStatus"]
    assert len(polls) >= 3
    assert sum(clock.slept) >= 2


async def test_a_long_export_is_fetched_soon_after_it_completes_with_few_polls(
    clock: VirtualClock,
) -> None:
    store = make_store(clock, products=200)
    store.graphql.bulk.rate = 10.0  # about a hundred seconds of the store's clock
    async with connect(store, clock) as connector:
        ids = [p.id async for p in connector.iter_products(bulk=True)]
    assert len(ids) == 200
    (operation,) = store.graphql.bulk.operations.values()
    completed = operation.started + 0.1 + operation.objects / store.graphql.bulk.rate
    assert completed - operation.started > 60
    # Polls follow the operation's progress (rootObjectCount against the product count): the
    # file is fetched within a second of completion, not up to a whole back-off interval later,
    # and a hundred seconds take a handful of polls, not one every half second.
    assert clock.now - completed <= 1.0
    polls = [q for q in store.graphql.queries if q[0] == "BulkStatus"]
    assert len(polls) <= 20


async def test_a_plain_http_download_url_is_refused_for_an_https_store(
    clock: VirtualClock,
) -> None:
    store = make_store(clock, products=5)
    store.graphql.bulk.storage_host = "http://storage.fake-shopify.localhost"
    async with connect(store, clock) as connector:
        with pytest.raises(gc.UnexpectedResponseError, match="not HTTPS"):
            _ = [p async for p in connector.iter_products(bulk=True)]
    assert store.graphql.bulk.downloads == []


async def test_when_every_bulk_slot_is_taken_the_export_waits_for_one(
    clock: VirtualClock,
) -> None:
    store = make_store(clock, products=40)
    store.graphql.bulk.rate = 4.0  # others' exports: about 10 s each on the store's clock
    for _ in range(5):
        assert store.graphql.bulk.run(bulk_products_query(None))["userErrors"] == []
    async with connect(store, clock) as connector:
        ids = [p.id async for p in connector.iter_products(bulk=True)]
    assert sorted(ids) == sorted(store.product_ids())
    refused = [q for q in store.graphql.queries if q[0] == "BulkRun"]
    assert len(refused) >= 2  # refused while the five ran, then accepted
    assert len(store.graphql.bulk.operations) == 6


class _Blocks:
    """Stands in for the client's download: the given blocks of whole JSONL lines."""

    def __init__(self, *blocks: bytes) -> None:
        self.blocks = blocks

    async def stream_blocks(self, url: str) -> AsyncIterator[bytes]:
        for block in self.blocks:
            yield block


PRODUCT = b'{"id":"gid://shopify/Product/1","title":"A"}\n'
VARIANT = b'{"id":"gid://shopify/ProductVariant/2","price":"1.00","__parentId":"gid://shopify/Product/1"}\n'


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        ((PRODUCT + VARIANT + b'{"id": "gid://shopify/ProductVar\n',), "line 3 is not JSON"),
        ((PRODUCT + b"\n" + VARIANT.replace(b'"1.00"', b'{"amount":1}'),), "line 3 is not what"),
        ((PRODUCT + VARIANT, VARIANT + b"[1, 2]\n"), "line 4 is not what"),
    ],
)
async def test_a_malformed_line_is_an_error_naming_it_never_skipped(
    blocks: tuple[bytes, ...], message: str
) -> None:
    source: Any = _Blocks(*blocks)
    with pytest.raises(gc.UnexpectedResponseError, match=message):
        _ = [batch async for batch in stream_products(source, "https://storage.example/x")]


async def test_the_export_asks_for_children_grouped_under_their_products(
    clock: VirtualClock,
) -> None:
    # From API 2026-01 Shopify writes a product's variants and media right after it only when
    # the query asks `groupObjects: true`; the stream rebuilds products one at a time from that.
    store = make_store(clock, products=150)
    answer = store.graphql.bulk.run(bulk_products_query(None))
    number = int(answer["bulkOperation"]["id"].rpartition("/")[2])
    operation = store.graphql.bulk.operations.pop(number)
    ungrouped = [json.loads(row) for row in store.graphql.bulk.rows(operation)]
    current = None
    apart = 0
    for row in ungrouped:
        if "__parentId" not in row:
            current = row["id"]
        elif row["__parentId"] != current:
            apart += 1
    assert apart > 0  # the fake's default, like Shopify's: not grouped
    async with connect(store, clock) as connector:
        ids = [p.id async for p in connector.iter_products(bulk=True)]
    assert len(ids) == len(set(ids)) == 150
