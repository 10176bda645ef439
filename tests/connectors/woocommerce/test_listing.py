"""Listing a WooCommerce catalog whatever the store does to its order and its paging headers:
every product exactly once, in a number of requests bounded by what the store really holds."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_connectors.woocommerce.pagination import page_plan

from .conftest import connect, wc_requests


def product_pages(store: FakeWooCommerceStore) -> list[int]:
    return [
        int(dict(r.query)["page"])
        for r in wc_requests(store, "/products")
        if "variations" not in r.path and "page" in dict(r.query)
    ]


async def listed(store: FakeWooCommerceStore, **options: Any) -> list[gc.Product]:
    async with connect(store, **options) as connector:
        return [p async for p in connector.iter_products()]


# -- order ---------------------------------------------------------------------------------------


async def test_a_shuffled_catalog_of_10000_is_listed_exactly_once() -> None:
    # A sort plugin's own order: ids no longer grow page after page.
    store = FakeWooCommerceStore(products=10_000, listing_order="shuffled")
    products = await listed(store)
    ids = [p.id for p in products]
    assert len(ids) == 10_000
    assert len(set(ids)) == 10_000
    assert set(ids) == set(store.product_ids())
    assert ids != sorted(ids, key=int)  # the store's order, not ours
    assert sorted(product_pages(store)) == list(range(1, 101))


@pytest.mark.parametrize("order", ["descending", "shuffled"])
async def test_any_forced_order_lists_everything_with_variants(order: str) -> None:
    store = FakeWooCommerceStore(products=450, listing_order=order)  # type: ignore[arg-type]
    async with connect(store, max_concurrency=3) as connector:
        products = [p async for p in connector.iter_products(include_variants=True)]
    assert sorted(p.id for p in products) == sorted(store.product_ids())
    variable = store.variable_product_ids()
    assert {p.id for p in products if p.variants} == variable


async def test_pages_that_repeat_products_give_no_duplicates_and_miss_none() -> None:
    # A page cache stitched from a shifted copy: each page repeats the tail of the one before.
    store = FakeWooCommerceStore(products=1_000, page_overlap=7)
    ids = [p.id for p in await listed(store)]
    assert len(ids) == len(set(ids)) == 1_000
    assert set(ids) == set(store.product_ids())


async def test_variations_that_repeat_across_pages_are_kept_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from g4hub_connectors.woocommerce.client import WooCommerceClient

    store = FakeWooCommerceStore(products=40, page_overlap=1)
    product_id = max(
        store.variable_product_ids(),
        key=lambda i: len(store.catalog.get(int(i) - 10).variation_ids),
    )
    expected = store.catalog.get(int(product_id) - 10).variation_ids
    original = WooCommerceClient.list_variations

    async def two_per_page(
        self: WooCommerceClient, product_id: int, *, page: int, per_page: int = 100
    ) -> Any:
        return await original(self, product_id, page=page, per_page=2)

    monkeypatch.setattr(WooCommerceClient, "list_variations", two_per_page)
    async with connect(store) as connector:
        product = await connector.get_product(product_id)
    assert sorted(v.id for v in product.variants) == sorted(str(i) for i in expected)


# -- page counts ---------------------------------------------------------------------------------


def test_page_plan_trusts_total_pages_only_as_far_as_the_total_goes() -> None:
    assert page_plan(230, 3, 100) == 3
    assert page_plan(230, 100_000_000, 100) == 3
    assert page_plan(10**12, 3, 100) == 3
    assert page_plan(None, 7, 100) == 7
    assert page_plan(250, None, 100) == 3
    assert page_plan(None, None, 100) is None
    assert page_plan(0, 0, 100) == 1
    assert page_plan(-5, -1, 100) == 1


async def test_an_absurd_page_count_costs_only_the_real_pages() -> None:
    store = FakeWooCommerceStore(products=230, collection_headers={"X-WP-TotalPages": "100000000"})
    ids = [p.id for p in await listed(store)]
    assert sorted(ids, key=int) == store.product_ids()
    assert sorted(product_pages(store)) == [1, 2, 3]


async def test_an_absurd_page_count_alone_ends_at_the_first_empty_page() -> None:
    store = FakeWooCommerceStore(
        products=230,
        collection_headers={"X-WP-TotalPages": "100000000", "X-WP-Total": None},
    )
    seen: list[str] = []

    async def walk() -> None:
        async with connect(store, max_concurrency=4) as connector:
            async for product in connector.iter_products():
                seen.append(product.id)

    with pytest.raises(gc.UnexpectedResponseError) as caught:
        await walk()
    assert len(seen) == 230  # everything there was, before the error
    assert max(product_pages(store)) <= 4 + 4  # page 4 is empty; at most a window beyond
    error = caught.value
    assert error.code == "unexpected_response"
    assert "page 4" in error.user_message
    assert "100000000" in error.user_message
    assert "X-WP-TotalPages" in error.user_message


async def test_headers_that_agree_on_nonsense_are_an_error_not_a_loop() -> None:
    store = FakeWooCommerceStore(
        products=150,
        collection_headers={"X-WP-TotalPages": "100000000", "X-WP-Total": "10000000000"},
    )
    with pytest.raises(gc.UnexpectedResponseError) as caught:
        await listed(store, max_concurrency=2)
    assert max(product_pages(store)) <= 3 + 2
    assert "10000000000" in str(caught.value)


async def test_a_last_page_emptied_by_a_deletion_just_ends_the_listing() -> None:
    store = FakeWooCommerceStore(products=201)
    deleted = store.product_ids()[0]

    class DeleteAfterPageOne(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = store.transport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            if request.url.params.get("page") == "1" and deleted in store.product_ids():
                store.delete_product(deleted)
            return response

    http = httpx.AsyncClient(transport=DeleteAfterPageOne())
    async with gc.create_connector(store.credentials(), http_client=http) as connector:
        ids = [p.id async for p in connector.iter_products()]
    assert len(ids) == len(set(ids))
    assert set(store.product_ids()) - set(ids) <= {store.product_ids()[99]}  # shifted by one


async def test_a_cache_that_ignores_the_page_is_an_error() -> None:
    store = FakeWooCommerceStore(products=500)

    class IgnorePage(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = store.transport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if "page" in request.url.params:
                request.url = request.url.copy_set_param("page", "1")
            return await self.inner.handle_async_request(request)

    http = httpx.AsyncClient(transport=IgnorePage())
    async with gc.create_connector(store.credentials(), http_client=http) as connector:
        with pytest.raises(gc.UnexpectedResponseError) as caught:
            _ = [p async for p in connector.iter_products()]
    assert "already listed" in caught.value.user_message


async def test_cursors_stop_where_the_products_do() -> None:
    store = FakeWooCommerceStore(products=25, collection_headers={"X-WP-TotalPages": "100000000"})
    async with connect(store) as connector:
        pages = [await connector.get_products(limit=10)]
        while pages[-1].next_cursor is not None:
            pages.append(await connector.get_products(cursor=pages[-1].next_cursor))
    assert [len(p.products) for p in pages] == [10, 10, 5]


async def test_variations_with_an_absurd_page_count_take_one_request() -> None:
    store = FakeWooCommerceStore(products=40, collection_headers={"X-WP-TotalPages": "100000000"})
    product_id = sorted(store.variable_product_ids())[0]
    async with connect(store) as connector:
        product = await connector.get_product(product_id)
    assert product.variants
    assert len(wc_requests(store, "/variations")) == 1
