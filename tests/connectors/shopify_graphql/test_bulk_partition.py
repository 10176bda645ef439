"""Partitioned bulk export: a large catalog split into id ranges exported side by side, as many
at once as the shop's API version allows; every product exactly once, a failing range fails the
listing, and one store's export never waits on another's."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from g4hub_connectors.shopify_graphql import BulkExportError
from g4hub_connectors.shopify_graphql.bulk import bulk_products_query
from g4hub_connectors.shopify_graphql.partition import plan_parts
from g4hub_connectors.testing import FakeShopifyGraphQLStore
from g4hub_connectors.testing.shopify._catalog import product_id

from .conftest import VirtualClock, connect, make_store

OLD_AND_NEW = ("2025-07", "2025-10", "2026-01", "2026-04", "2026-07", "2026-10")


async def _export(
    store: FakeShopifyGraphQLStore, clock: VirtualClock, **options: object
) -> list[str]:
    options.setdefault("bulk_part_size", 10)
    async with connect(store, clock, **options) as connector:
        return [p.id async for p in connector.iter_products(bulk=True)]


@pytest.mark.parametrize(
    ("products", "deleted"),
    [
        (53, ()),
        (240, ()),
        # Most of the catalog deleted: the ids cluster at both ends and the middle ranges of
        # the even split are empty.
        (200, tuple(range(20, 190))),
        # Deleted at the start and the end: the first and last ids move inwards.
        (120, (0, 1, 2, 117, 118, 119)),
    ],
)
async def test_a_partitioned_export_lists_every_product_exactly_once(
    clock: VirtualClock, products: int, deleted: tuple[int, ...]
) -> None:
    store = make_store(clock, products=products)
    store.graphql.views.variant_counts.update({5: 300, products - 1: 120})
    for index in deleted:
        store.delete_product(str(product_id(index)))
    async with connect(store, clock) as connector:
        paged = {p.id: p async for p in connector.iter_products(bulk=False)}
    async with connect(store, clock, bulk_part_size=10) as connector:
        bulk = [p async for p in connector.iter_products(bulk=True)]
    assert sorted(p.id for p in bulk) == sorted(store.product_ids(), key=int)
    assert len(bulk) == len({p.id for p in bulk})
    for product in bulk:
        assert product.model_dump(exclude={"raw"}) == paged[product.id].model_dump(exclude={"raw"})
    # Ranges of at least `bulk_part_size` (10) products, at most five.
    assert len(store.graphql.bulk.operations) == min(5, len(store.product_ids()) // 10)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kept=st.lists(st.integers(0, 299), min_size=1, max_size=60, unique=True),
    parts=st.integers(2, 5),
)
async def test_the_ranges_cover_every_id_once_whatever_the_gaps(
    kept: list[int], parts: int
) -> None:
    # Any set of surviving products: each id, boundaries included, is in exactly one range.
    clock = VirtualClock()
    store = make_store(clock, products=300)
    for index in set(range(300)) - set(kept):
        store.delete_product(str(product_id(index)))
    async with connect(store, clock) as connector:
        plan = await plan_parts(connector.client, None, products=len(kept), parts=parts)
    assert plan[0].lower is None
    assert plan[-1].upper is None
    for before, after in itertools.pairwise(plan):
        assert before.upper is not None
        assert before.upper == after.lower
    members = [set(store.graphql.matching(part.query)) for part in plan]
    assert sorted(i for found in members for i in found) == sorted(kept)


async def test_products_at_the_boundaries_fall_in_exactly_one_range(clock: VirtualClock) -> None:
    # 106 products on ids ten apart: two of the even split's boundaries are product ids.
    store = make_store(clock, products=106)
    async with connect(store, clock) as connector:
        plan = await plan_parts(connector.client, None, products=106, parts=5)
    ids = {int(i) for i in store.product_ids()}
    on_boundary = [part.lower for part in plan if part.lower in ids]
    assert len(on_boundary) == 2, [part.lower for part in plan]
    for boundary in on_boundary:
        holders = [part for part in plan if boundary in _members(store, part.query)]
        assert [h.lower for h in holders] == [boundary]
    assert sorted(await _export(store, clock), key=int) == sorted(store.product_ids(), key=int)


def _members(store: FakeShopifyGraphQLStore, query: str | None) -> set[int]:
    return {product_id(i) for i in store.graphql.matching(query)}


async def test_an_incremental_bulk_export_splits_only_the_changed_products(
    clock: VirtualClock,
) -> None:
    store = make_store(clock, products=200)
    search = "updated_at:>='2024-05-01T00:00:00Z'"
    changed = _members(store, search)
    assert 0 < len(changed) < 200
    async with connect(store, clock) as connector:
        plan = await plan_parts(connector.client, search, products=len(changed), parts=4)
    assert len(plan) == 4
    assert all(part.query is not None and part.query.startswith(search) for part in plan)
    found = [_members(store, part.query) for part in plan]
    assert sorted(i for part in found for i in part) == sorted(changed)


async def test_a_failing_range_fails_the_listing_naming_it_and_frees_the_others(
    clock: VirtualClock,
) -> None:
    store = make_store(clock, products=100)
    store.graphql.bulk.rate = 20.0  # slow: the other ranges still run when one fails
    store.graphql.bulk.outcomes = [None, None, "failed"]
    listed: list[str] = []

    async def listing() -> None:
        async with connect(store, clock, bulk_part_size=10) as connector:
            async for product in connector.iter_products(bulk=True):
                listed.append(product.id)

    with pytest.raises(BulkExportError) as caught:
        await listing()
    assert "part 3 of 5" in str(caught.value)
    assert "could not finish exporting" in caught.value.user_message
    assert len(listed) < 100
    # The ranges still running when the listing stopped were cancelled: the shop's slots free.
    assert store.graphql.bulk.running() == []
    assert any(op.canceled for op in store.graphql.bulk.operations.values())


@pytest.mark.parametrize(("version", "slots"), [("2025-10", 1), ("2026-01", 5), ("2026-10", 5)])
async def test_the_export_runs_as_many_ranges_at_once_as_the_version_allows(
    clock: VirtualClock, version: str, slots: int
) -> None:
    store = make_store(clock, products=100, api_versions=OLD_AND_NEW)
    store.graphql.bulk.rate = 50.0
    ids = await _export(store, clock, config={"api_version": version})
    assert sorted(ids, key=int) == sorted(store.product_ids(), key=int)
    assert store.graphql.bulk.peak_running == slots
    assert len(store.graphql.bulk.operations) == slots
    starts = [q for q in store.graphql.queries if q[0] == "BulkRun"]
    assert len(starts) == slots  # none refused: the export kept to the limit
    # Each range's file comes from the storage host, never with the token.
    downloads = store.graphql.bulk.downloads
    assert len(downloads) == slots
    assert all("x-shopify-access-token" not in {k.lower() for k in d} for d in downloads)
    assert all(store.access_token not in str(d) for d in downloads)


async def _run_bulk(
    http: httpx.AsyncClient, store: FakeShopifyGraphQLStore, version: str
) -> dict[str, Any]:
    response = await http.post(
        f"{store.url}/admin/api/{version}/graphql.json",
        json={
            "query": "mutation Run($q: String!) { bulkOperationRunQuery(query: $q) "
            "{ bulkOperation { id } userErrors { field message code } } }",
            "variables": {"q": bulk_products_query(None)},
        },
        headers={"X-Shopify-Access-Token": store.access_token},
    )
    answer: dict[str, Any] = response.json()["data"]["bulkOperationRunQuery"]
    return answer


@pytest.mark.parametrize(
    ("version", "allowed", "code"),
    [("2025-10", 1, "OPERATION_IN_PROGRESS"), ("2026-01", 5, "LIMIT_REACHED")],
)
async def test_the_fake_refuses_a_bulk_query_over_the_versions_limit(
    clock: VirtualClock, version: str, allowed: int, code: str
) -> None:
    store = make_store(clock, products=30, api_versions=OLD_AND_NEW)
    store.graphql.bulk.rate = 1.0
    async with store.http_client() as http:
        for _ in range(allowed):
            assert (await _run_bulk(http, store, version))["userErrors"] == []
        refused = await _run_bulk(http, store, version)
    assert refused["bulkOperation"] is None
    assert [e["code"] for e in refused["userErrors"]] == [code]


async def test_another_clients_operations_leave_the_export_the_remaining_slots(
    clock: VirtualClock,
) -> None:
    store = make_store(clock, products=100)
    store.graphql.bulk.rate = 20.0
    for _ in range(3):  # another app instance's exports on the same shop
        assert store.graphql.bulk.run(bulk_products_query(None))["userErrors"] == []
    ids = await _export(store, clock)
    assert sorted(ids, key=int) == sorted(store.product_ids(), key=int)
    assert store.graphql.bulk.peak_running == 5
    assert len(store.graphql.bulk.operations) == 3 + 5


async def test_a_second_stores_export_does_not_wait_for_the_first(clock: VirtualClock) -> None:
    big = make_store(clock, products=200)
    big.graphql.bulk.rate = 0.5  # minutes of the clock for each range
    small = make_store(clock, products=60, seed=2)
    small.graphql.bulk.rate = 200.0
    first = asyncio.create_task(_export(big, clock))
    for _ in range(1_000):  # until the first export holds the shop's five slots
        if big.graphql.bulk.peak_running == 5:
            break
        await asyncio.sleep(0)
    second = await _export(small, clock)
    assert sorted(second, key=int) == sorted(small.product_ids(), key=int)
    assert small.graphql.bulk.peak_running == 5
    assert not first.done()
    assert len(big.graphql.bulk.running()) == 5
    assert sorted(await first, key=int) == sorted(big.product_ids(), key=int)
