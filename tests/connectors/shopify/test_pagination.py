"""Link-header pagination yields each product exactly once, whatever the catalog and page size."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import g4hub_connectors as gc
from g4hub_connectors.config import DEFAULT_SHOPIFY_API_VERSION, ShopifyConfig
from g4hub_connectors.shopify import ShopifyConnector
from g4hub_connectors.shopify.connector import decode_cursor
from g4hub_connectors.testing import FakeShopifyStore
from g4hub_connectors.testing.shopify._catalog import product_id
from g4hub_connectors.testing.shopify._rules import Filters, encode_page_info

from .conftest import FAST_RETRY, FakeClock, connect


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(min_value=0, max_value=600),
    limit=st.integers(min_value=1, max_value=300),
    deleted=st.sets(st.integers(min_value=0, max_value=599), max_size=20),
)
def test_cursors_yield_each_product_once(size: int, limit: int, deleted: set[int]) -> None:
    # A shared fake clock: the bucket drains without real waiting, however many pages.
    clock = FakeClock()
    store = FakeShopifyStore(products=size, clock=clock)
    for index in sorted(deleted):
        if index < size:
            store.delete_product(str(product_id(index)))

    async def walk() -> tuple[list[str], list[str], int]:
        async with connect(store, clock=clock) as connector:
            paged: list[str] = []
            cursor: str | None = None
            pages = 0
            while True:
                page = await connector.get_products(cursor=cursor, limit=limit)
                pages += 1
                assert len(page.products) <= min(limit, 250)
                paged += [p.id for p in page.products]
                cursor = page.next_cursor
                if cursor is None:
                    break
            streamed = [p.id async for p in connector.iter_products()]
            return paged, streamed, pages

    paged, streamed, pages = asyncio.run(walk())
    expected = store.product_ids()
    assert paged == expected
    assert streamed == expected
    assert pages == max(1, -(-len(expected) // min(limit, 250)))
    assert store.bucket.rejected == 0


@settings(max_examples=25, deadline=None)
@given(size=st.integers(min_value=0, max_value=600), days=st.integers(min_value=0, max_value=400))
def test_updated_since_yields_exactly_the_changed_products(size: int, days: int) -> None:
    store = FakeShopifyStore(products=size)
    since = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=days, seconds=days * 37)

    async def walk() -> list[str]:
        async with connect(store) as connector:
            return [p.id async for p in connector.iter_products(updated_since=since)]

    got = asyncio.run(walk())
    assert len(got) == len(set(got))
    assert set(got) == store.ids_updated_since(since)


# -- hostile links --------------------------------------------------------------------------------


class RewritingTransport(httpx.AsyncBaseTransport):
    """The fake store behind a proxy that rewrites each answer's `Link` header with `rewrite`
    (given the header and how many product pages were served), logging every request sent."""

    def __init__(self, store: FakeShopifyStore, rewrite: Callable[[str, int], str]) -> None:
        self.inner = store.transport()
        self.rewrite = rewrite
        self.sent: list[httpx.Request] = []
        self.pages = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("products.json"):
            self.pages += 1
            link = response.headers.get("link")
            if link:
                response.headers["link"] = self.rewrite(link, self.pages)
        return response


def through(store: FakeShopifyStore, transport: RewritingTransport) -> ShopifyConnector:
    config = ShopifyConfig.model_validate(store.credentials(retry=FAST_RETRY))
    return ShopifyConnector(config, http_client=httpx.AsyncClient(transport=transport))


def _next_info(link: str) -> str | None:
    match = re.search(r"[?&]page_info=([^&>]+)[^>]*>; rel=\"next\"", link)
    return match.group(1) if match else None


async def test_a_link_naming_another_host_and_an_old_version_still_pages_here() -> None:
    store = FakeShopifyStore(products=600)

    def elsewhere(link: str, _: int) -> str:
        cursor = _next_info(link)
        if cursor is None:
            return link
        # Another host, a retired version, and filters Shopify refuses beside page_info.
        return (
            "<https://evil.example:8443/admin/api/2023-10/products.json?status=any&limit=3&"
            f'page_info={cursor}&since_id=1>; rel="next"'
        )

    transport = RewritingTransport(store, elsewhere)
    async with through(store, transport) as connector:
        ids = [p.id async for p in connector.iter_products()]
    assert ids == store.product_ids()
    assert {r.url.host for r in transport.sent} == {"fake-store.myshopify.com"}
    pages = [r for r in transport.sent if r.url.path.endswith("products.json")]
    here = f"/admin/api/{DEFAULT_SHOPIFY_API_VERSION}/products.json"
    assert {r.url.path for r in pages} == {here}
    assert [sorted(r.url.params.keys()) for r in pages[1:]] == [["limit", "page_info"]] * 2
    assert all(r.url.params["limit"] == "250" for r in pages)


async def _list_until_error(connector: ShopifyConnector) -> tuple[list[str], gc.ConnectorError]:
    yielded: list[str] = []
    try:
        async for product in connector.iter_products():
            yielded.append(product.id)
    except gc.ConnectorError as exc:
        return yielded, exc
    raise AssertionError(f"the listing ended normally after {len(yielded)} products")


async def test_a_link_back_to_a_page_already_read_ends_the_listing() -> None:
    # The probe's case: a 600-product store whose links led back yielded 211,500 products.
    store = FakeShopifyStore(products=600)
    links: list[str] = []

    def back(link: str, page: int) -> str:
        links.append(link)
        return links[0] if page >= 2 else link

    transport = RewritingTransport(store, back)
    async with through(store, transport) as connector:
        yielded, error = await _list_until_error(connector)
    assert isinstance(error, gc.UnexpectedResponseError)
    assert "went round in a circle" in error.user_message
    assert yielded == store.product_ids()[:500]
    assert transport.pages == 2  # the repeated cursor is never asked for


async def test_a_page_linking_to_itself_ends_the_listing() -> None:
    store = FakeShopifyStore(products=600)
    seen: list[str] = []

    def stuck(link: str, page: int) -> str:
        cursor = _next_info(link)
        if cursor is not None and not seen:
            seen.append(cursor)
        # From page 2 on, every link names page 2's own cursor.
        return f'<{store.url}/products.json?page_info={seen[0]}>; rel="next"'

    transport = RewritingTransport(store, stuck)
    async with through(store, transport) as connector:
        yielded, error = await _list_until_error(connector)
    assert isinstance(error, gc.UnexpectedResponseError)
    assert yielded == store.product_ids()[:500]
    assert transport.pages == 2


async def test_fresh_cursors_to_pages_already_read_end_the_listing() -> None:
    """A proxy that mints a new cursor each time, always for the page after the first product:
    no cursor repeats, but the pages' products do."""
    store = FakeShopifyStore(products=600)

    def fresh(link: str, page: int) -> str:
        cursor = encode_page_info("next", 0, f"minted {page}", Filters())
        return f'<{store.url}/products.json?page_info={cursor}>; rel="next"'

    transport = RewritingTransport(store, fresh)
    async with through(store, transport) as connector:
        yielded, error = await _list_until_error(connector)
    assert isinstance(error, gc.UnexpectedResponseError)
    assert yielded == store.product_ids()[:251]
    assert transport.pages == 3


async def test_a_cursor_whose_next_page_is_itself_is_refused() -> None:
    store = FakeShopifyStore(products=600)
    transport = RewritingTransport(store, lambda link, _: link)
    async with through(store, transport) as connector:
        first = await connector.get_products(limit=250)
        assert first.next_cursor is not None
        asked = decode_cursor(first.next_cursor)
        transport.rewrite = lambda link, _: f'<{store.url}/x.json?page_info={asked}>; rel="next"'
        with pytest.raises(gc.UnexpectedResponseError):
            await connector.get_products(cursor=first.next_cursor, limit=250)


async def test_products_repeated_across_pages_are_yielded_once() -> None:
    store = FakeShopifyStore(products=600)
    real = store.transport()

    class Overlapping(httpx.AsyncBaseTransport):
        """Each page also repeats the previous page's last product (a cache or a sort plugin)."""

        last: dict[str, Any] | None = None

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await real.handle_async_request(request)
            if not request.url.path.endswith("products.json"):
                return response
            products = json.loads(response.content)["products"]
            extra = [self.last] if self.last else []
            self.last = products[-1]
            link = {"link": response.headers.get("link", "")}
            return httpx.Response(200, json={"products": extra + products}, headers=link)

    config = ShopifyConfig.model_validate(store.credentials(retry=FAST_RETRY))
    client = httpx.AsyncClient(transport=Overlapping())
    async with ShopifyConnector(config, http_client=client) as connector:
        ids = [p.id async for p in connector.iter_products()]
    assert len(ids) == len(set(ids)) == 600
    assert sorted(ids) == sorted(store.product_ids())


async def test_the_next_page_keeps_limit_and_fields_only() -> None:
    store = FakeShopifyStore(products=9)
    async with connect(store) as connector:
        first = await connector.client.list_products(
            params={"status": "active,draft,archived"}, limit=4, fields="id,title"
        )
        assert first.next_page_info is not None
        second = await connector.client.list_products(
            page_info=first.next_page_info, limit=4, fields="id,title"
        )
    assert {tuple(sorted(p)) for p in first.raw + second.raw} == {("id", "title")}
    pages = [dict(r.query) for r in store.requests if r.path.endswith("products.json")]
    assert pages[0] == {"status": "active,draft,archived", "limit": "4", "fields": "id,title"}
    assert pages[1] == {"limit": "4", "fields": "id,title", "page_info": first.next_page_info}
