"""Pacing against the leaky bucket: no 429 on long listings, and no slower than the bucket allows.

Store and connector share a fake clock, so a listing that takes minutes of store time runs in a
moment; the assertions are on the store's bucket and the pacer's planned waits, never wall time.
"""

from __future__ import annotations

import asyncio
import math

import pytest

import g4hub_connectors as gc
from g4hub_connectors.shopify.pacing import LeakyBucketPacer, parse_call_limit
from g4hub_connectors.testing import FakeShopifyStore
from g4hub_connectors.testing.shopify._rules import Bucket

from .conftest import FakeClock, connect


def test_parse_call_limit() -> None:
    assert parse_call_limit("32/40") == (32, 40)
    assert parse_call_limit(" 1 / 400 ") == (1, 400)
    for bad in (None, "", "40", "a/b", "3/0", "-1/40"):
        assert parse_call_limit(bad) is None


async def simulate(requests: int, size: int, leak: float) -> tuple[float, int, LeakyBucketPacer]:
    """One client listing `requests` pages against a simulated store bucket, sequentially."""
    clock = FakeClock()
    store = Bucket(size, leak, clock)
    pacer = LeakyBucketPacer(clock=clock, sleep=clock.sleep)
    start = clock()
    for _ in range(requests):
        slot = await pacer.acquire()
        assert store.take(), f"429 at {clock() - start:.1f} s"
        clock.advance(0.05)  # the store's answer takes a moment
        reported = parse_call_limit(store.header())
        assert reported is not None
        pacer.observe(*reported, slot)
    return clock() - start, store.rejected, pacer


@pytest.mark.parametrize(("size", "leak"), [(40, 2.0), (80, 4.0), (400, 20.0)])
async def test_a_100k_listing_runs_at_the_leak_rate_after_the_burst(size: int, leak: float) -> None:
    pages = 400  # 100,000 products at 250 a page
    elapsed, rejected, pacer = await simulate(pages, size, leak)
    assert rejected == 0
    # The platform's own bound (PLATFORMS.md: ~180 s on the standard plan), unless the answers'
    # own time is longer; the pacer may add its two slots of headroom and header rounding.
    bound = max((pages - size) / leak, pages * 0.05)
    assert bound - 1e-6 <= elapsed <= bound + 2.0
    assert pacer.requests == pages


async def test_pacer_learns_the_bucket_size_and_leak_rate_from_the_header() -> None:
    clock = FakeClock()
    pacer = LeakyBucketPacer(clock=clock, sleep=clock.sleep)
    slot = await pacer.acquire()
    pacer.observe(1, 400, slot)
    assert (pacer.size, pacer.leak_rate) == (400, 20.0)
    fixed = LeakyBucketPacer(clock=clock, sleep=clock.sleep, leak_rate=3.0)
    fixed.observe(1, 80, await fixed.acquire())
    assert (fixed.size, fixed.leak_rate) == (80, 3.0)


async def test_a_fuller_bucket_reported_by_the_store_slows_the_pacer() -> None:
    """Another process of the same app drew from the bucket: the header says so."""
    clock = FakeClock()
    pacer = LeakyBucketPacer(clock=clock, sleep=clock.sleep)
    pacer.observe(39, 40, await pacer.acquire())
    await pacer.acquire()
    assert pacer.planned_wait == pytest.approx(1.0)  # from 39 down to 37, at 2/s


async def test_a_429_without_header_counts_as_a_full_bucket() -> None:
    clock = FakeClock()
    pacer = LeakyBucketPacer(clock=clock, sleep=clock.sleep)
    pacer.throttled()
    await pacer.acquire()
    assert pacer.planned_wait == pytest.approx(1.5)


async def test_sixty_pages_on_the_standard_plan_get_no_429_and_wait_the_minimum(
    clock: FakeClock,
) -> None:
    store = FakeShopifyStore(products=600, plan="standard", clock=clock)
    async with connect(store, clock=clock) as connector:
        cursor: str | None = None
        pages = 0
        while True:
            page = await connector.get_products(cursor=cursor, limit=10)
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        pacer = connector.client.pacer
    assert pages == 60
    assert store.bucket.rejected == 0
    assert store.count_requests("products.json") == 60  # no request was repeated
    minimum = (60 - 40) / 2.0
    assert minimum <= pacer.planned_wait <= minimum + 1.5


async def test_iter_products_over_a_standard_store_never_overflows(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=250 * 45, plan="standard", clock=clock)
    async with connect(store, clock=clock) as connector:
        count = sum([1 async for _ in connector.iter_products()])
    assert count == 250 * 45
    assert store.bucket.rejected == 0
    assert store.bucket.peak <= 40


async def test_concurrent_requests_share_one_pacer(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=5, plan="standard", clock=clock)
    async with connect(store, clock=clock) as connector:
        ids = store.product_ids()
        results = await asyncio.gather(*(connector.get_product(ids[i % 5]) for i in range(90)))
        pacer = connector.client.pacer
    assert len(results) == 90
    assert store.bucket.rejected == 0
    assert pacer.requests == 91  # and the shop, once, for the products' currency
    assert store.count_requests("shop.json") == 1
    assert pacer.planned_wait >= (90 - 40) / 2.0


async def test_two_connectors_of_one_app_pace_each_other(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=5, plan="standard", clock=clock)
    product_id = store.product_ids()[0]
    async with connect(store, clock=clock) as first, connect(store, clock=clock) as second:
        for _ in range(30):
            await first.get_product(product_id)
        for _ in range(30):
            await second.get_product(product_id)
        waited = second.client.pacer.planned_wait
    assert store.bucket.rejected == 0
    # The second connector counted only its own 30, yet waited: the headers told it the rest.
    assert waited >= (60 - 40) / 2.0


async def test_a_429_is_retried_after_retry_after(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=5, clock=clock)
    fault = store.inject("status", status=429, times=1, headers=[("Retry-After", "2.0")])
    async with connect(store, clock=clock) as connector:
        assert await connector.count_products() == 5
    assert fault.fired == 1
    assert store.count_requests("count.json") == 2


async def test_a_429_storm_ends_as_rate_limited_with_retry_after(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=5, clock=clock)
    fault = store.inject("status", status=429, times=None, headers=[("Retry-After", "2.0")])
    async with connect(store, clock=clock) as connector:
        with pytest.raises(gc.RateLimitedError) as caught:
            await connector.count_products()
    assert caught.value.retry_after == 2.0
    assert caught.value.status_code == 429
    assert "Exceeded" in str(caught.value)
    assert fault.fired == 3  # the policy's bounded attempts


async def test_the_fake_bucket_answers_429_when_it_overflows(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=1, plan="standard", clock=clock)
    async with store.http_client() as http:
        url = f"{store.url}/admin/api/{gc.DEFAULT_SHOPIFY_API_VERSION}/shop.json"
        headers = {"X-Shopify-Access-Token": store.access_token}
        answers = [await http.get(url, headers=headers) for _ in range(41)]
        clock.advance(0.5)
        after_leak = await http.get(url, headers=headers)
    assert [a.status_code for a in answers[:40]] == [200] * 40
    assert answers[39].headers["X-Shopify-Shop-Api-Call-Limit"] == "40/40"
    overflow = answers[40]
    assert overflow.status_code == 429
    assert overflow.headers["Retry-After"] == "2.0"
    assert overflow.json() == {
        "errors": "Exceeded 2 calls per second for api client. "
        "Reduce request rates to resume uninterrupted service."
    }
    assert after_leak.status_code == 200  # one request leaked out in half a second
    assert math.isclose(store.bucket.level(), 40.0)
