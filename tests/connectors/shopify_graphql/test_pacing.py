"""Cost-based pacing: wait before a query that would overflow the bucket, and a THROTTLED answer
retried after the time the bucket needs."""

from __future__ import annotations

import pytest

import g4hub_connectors as gc
from g4hub_connectors.shopify_graphql.pacing import CostPacer, ThrottleStatus

from .conftest import VirtualClock, connect, make_store


async def test_the_pacer_waits_exactly_for_the_points_it_needs(clock: VirtualClock) -> None:
    pacer = CostPacer(clock=clock, sleep=clock.sleep)
    pacer.observe(ThrottleStatus(maximum=1_000, available=150, restore_rate=100))
    await pacer.reserve(400)
    assert clock.slept == [pytest.approx(2.5)]
    await pacer.reserve(100)  # the bucket is now empty: one more second
    assert clock.slept[-1] == pytest.approx(1.0)


async def test_a_listing_on_standard_is_never_throttled_and_close_to_the_minimum(
    clock: VirtualClock,
) -> None:
    store = make_store(clock, products=600, plan="standard")
    store.graphql.views.variant_counts.update(dict.fromkeys(range(0, 600, 40), 120))
    async with connect(store, clock) as connector:
        ids = [p.id async for p in connector.iter_products(bulk=False)]
    assert len(ids) == 600
    bucket = store.graphql.bucket
    assert bucket.throttled == 0
    # The bucket's own minimum: what the queries really cost beyond the full bucket, restored at
    # 100 points/s. The listing waits no more than 10 % beyond it.
    spent = sum(actual or 0 for _, _, actual in store.graphql.queries)
    minimum = (spent - bucket.maximum) / bucket.restore
    elapsed = clock.now - 1_000.0
    assert minimum > 10
    assert elapsed <= 1.1 * minimum


async def test_a_throttled_answer_is_retried_after_the_bucket_refills(clock: VirtualClock) -> None:
    store = make_store(clock, products=20, plan="standard")
    async with connect(store, clock) as connector:
        await connector.count_products()
        # Another process of the same app drains the bucket behind the connector's back.
        assert store.graphql.bucket.take(store.graphql.bucket.available())
        page = await connector.get_products(limit=10)
    assert len(page.products) == 10
    assert store.graphql.bucket.throttled == 1
    assert connector.client.pacer.throttled_answers == 1
    # It waited for the requested cost to be restored, once, not a fixed backoff.
    requested = [r for name, r, actual in store.graphql.queries if name == "Products"]
    assert clock.slept[-1] == pytest.approx(requested[0] / 100, abs=0.05)


async def test_a_bucket_that_never_refills_ends_as_rate_limited(clock: VirtualClock) -> None:
    store = make_store(clock, products=20, plan="standard")
    store.graphql.bucket.restore = 0.0
    store.graphql.bucket.take(store.graphql.bucket.available())
    async with connect(store, clock) as connector:
        with pytest.raises(gc.RateLimitedError) as caught:
            await connector.count_products()
    assert caught.value.platform_code == "THROTTLED"
    assert caught.value.retry_after is not None
