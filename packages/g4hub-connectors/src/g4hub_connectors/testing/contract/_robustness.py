"""What every connector promises when the store misbehaves: retries, bounded failures, clear
errors for unreadable answers, timeouts; and that it works over a real loopback socket and pages
through catalogs of any size."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing._asgi import FakeStore
from g4hub_connectors.testing.contract._base import ContractBase, StoreFactory, connect

Connector = gc.BaseConnector[Any]

# (catalog size, page size): empty, one short page, exact multiples, a remainder, one per page.
_PAGINATION = [(0, 10), (1, 1), (9, 10), (10, 10), (11, 10), (37, 7), (25, 1), (120, 100)]


class RobustnessContract(ContractBase):
    """Faults, timeouts, a real socket, and pagination over many catalog and page sizes."""

    # -- faults ------------------------------------------------------------------------------------

    async def test_passing_server_errors_are_retried(
        self, store: FakeStore, connector: Connector
    ) -> None:
        fault = store.inject("status", status=503, times=2)
        assert await connector.count_products() == len(store.product_ids())
        assert fault.fired == 2

    async def test_lasting_server_errors_end_as_platform_unavailable(
        self, store: FakeStore, connector: Connector
    ) -> None:
        fault = store.inject("status", status=502, times=None)
        with pytest.raises(gc.PlatformUnavailableError) as caught:
            await connector.count_products()
        assert caught.value.retryable
        assert fault.fired == 3  # the bounded number of attempts

    async def test_a_429_storm_ends_as_rate_limited(
        self, store: FakeStore, connector: Connector
    ) -> None:
        store.inject("status", status=429, times=None, headers=[("Retry-After", "0.01")])
        with pytest.raises(gc.RateLimitedError) as caught:
            await connector.count_products()
        assert caught.value.retry_after == pytest.approx(0.01)
        assert caught.value.code == "rate_limited"

    async def test_a_short_429_burst_is_absorbed(
        self, store: FakeStore, connector: Connector
    ) -> None:
        store.inject("status", status=429, times=2, headers=[("Retry-After", "0.01")])
        assert await connector.count_products() == len(store.product_ids())

    @pytest.mark.parametrize("kind", ["html", "truncated", "empty"])
    async def test_unreadable_answers_say_what_came_back(
        self, store: FakeStore, connector: Connector, kind: Any
    ) -> None:
        store.inject(kind, status=200, times=None, path="products")
        with pytest.raises(gc.UnexpectedResponseError) as caught:
            await connector.get_products()
        words = {"html": "HTML page", "truncated": "cut off", "empty": "empty body"}[kind]
        assert words in str(caught.value)
        assert caught.value.user_message

    async def test_dropped_connections_end_as_platform_unavailable(
        self, store: FakeStore, connector: Connector
    ) -> None:
        store.inject("drop", times=None, path="products")
        with pytest.raises(gc.PlatformUnavailableError, match="dropped"):
            await connector.get_products()

    async def test_a_hung_store_times_out_within_the_timeout(self, store: FakeStore) -> None:
        store.inject("hang", times=None, path="products")
        retry = {"max_attempts": 2, "initial_delay": 0.001, "max_delay": 0.01}
        async with gc.create_connector(
            store.credentials(timeout=0.2, retry=retry), http_client=store.http_client()
        ) as c:
            async with asyncio.timeout(5):
                with pytest.raises(gc.ConnectorTimeoutError) as caught:
                    await c.get_products()
        assert caught.value.code == "timeout"

    # -- over a real socket ------------------------------------------------------------------------

    async def test_works_over_a_loopback_port(self, make_store: StoreFactory) -> None:
        store = make_store(products=25)
        with store.serve() as url:
            assert url.startswith("http://127.0.0.1:")
            async with gc.create_connector(store.credentials()) as c:
                result = await c.test_connection()
                ids = [p.id async for p in c.iter_products()]
        assert result.success, result.error_message
        assert result.products_count == 25
        assert sorted(ids) == sorted(store.product_ids())

    @pytest.mark.parametrize(("size", "limit"), _PAGINATION)
    async def test_pagination_yields_each_product_exactly_once(
        self, make_store: StoreFactory, size: int, limit: int
    ) -> None:
        store = make_store(products=size)
        seen: list[str] = []
        async with connect(store) as c:
            cursor: str | None = None
            while True:
                page = await c.get_products(cursor=cursor, limit=limit)
                seen.extend(p.id for p in page.products)
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
        assert len(seen) == len(set(seen)) == size
        assert set(seen) == set(store.product_ids())
