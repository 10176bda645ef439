"""Two fake WooCommerce stores of one catalog (same SKUs and product ids), for rules over
HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from g4hub_connectors.testing import FakeWooCommerceStore

Twins = tuple[FakeWooCommerceStore, FakeWooCommerceStore]


@pytest.fixture
def twins() -> Iterator[Twins]:
    first, second = FakeWooCommerceStore(products=8), FakeWooCommerceStore(products=8)
    with first.serve(), second.serve():
        yield first, second


def simple_product_id(store: FakeWooCommerceStore) -> str:
    """The store's first product without variations (the same product in both twins)."""
    variable = store.variable_product_ids()
    return next(pid for pid in store.product_ids() if pid not in variable)
