"""The contract suite (`g4hub_connectors.testing.contract`) runs against every connector through
its fake store; Acme, a third platform shipped with the tests, is installed for it through an
entry point, as a third-party package would be."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from g4hub_connectors.testing import (
    FakeShopifyGraphQLStore,
    FakeShopifyStore,
    FakeStore,
    FakeWooCommerceStore,
)
from tests.connectors.contract.acme import FakeAcmeStore
from tests.connectors.contract.acme.plugin import acme_installed

StoreFactory = Callable[..., FakeStore]

FAKE_STORES: dict[str, StoreFactory] = {
    "woocommerce": FakeWooCommerceStore,
    "shopify": FakeShopifyStore,
    "shopify.graphql": FakeShopifyGraphQLStore,
    "acme": FakeAcmeStore,
}


@pytest.fixture(autouse=True)
def _acme() -> Iterator[None]:
    with acme_installed():
        yield
