"""A signed-up tenant with a small fake store, for the sync routes' tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.stores.helpers import Account, sign_up


@pytest.fixture
async def account(client: AsyncTestClient[Any]) -> Account:
    return await sign_up(client)


@pytest.fixture
def woo() -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=5)
    with store.serve():
        yield store
