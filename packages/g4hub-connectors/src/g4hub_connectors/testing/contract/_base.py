"""The fixtures the contract's checks share: a fake store of the platform under test and a
connector to it, in-process, with fast retries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar

import pytest

from g4hub_connectors.connector import BaseConnector
from g4hub_connectors.registry import create_connector, get_descriptor
from g4hub_connectors.testing._asgi import FakeStore

StoreFactory = Callable[..., FakeStore]

FAST_RETRY = {"max_attempts": 3, "initial_delay": 0.001, "max_delay": 0.01}
"""Retries short enough for tests; the bounded number of attempts (3) is part of the contract."""


def connect(store: FakeStore, **overrides: Any) -> BaseConnector[Any]:
    """A connector to `store` in-process, with fast retries."""
    overrides.setdefault("retry", FAST_RETRY)
    return create_connector(store.credentials(**overrides), http_client=store.http_client())


def secrets_of(store: FakeStore) -> list[str]:
    """The secret credential values of `store` (the platform's descriptor says which)."""
    credentials = store.credentials()
    secret = get_descriptor(str(credentials["platform"])).secret_fields
    return [str(v) for k, v in credentials.items() if k in secret and v]


class ContractBase:
    """Fixtures: `make_store` (the factory), `store` (37 products), `connector` (to `store`)."""

    store_factory: ClassVar[StoreFactory]
    catalog_size: ClassVar[int] = 37

    @pytest.fixture
    def make_store(self) -> StoreFactory:
        return type(self).store_factory

    @pytest.fixture
    def store(self, make_store: StoreFactory) -> FakeStore:
        return make_store(products=self.catalog_size)

    @pytest.fixture
    async def connector(self, store: FakeStore) -> AsyncIterator[BaseConnector[Any]]:
        async with connect(store) as c:
            yield c
