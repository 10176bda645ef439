"""The real app with a public URL (the test client's own address, so the fake stores' deliveries
come back to it), a signed-up tenant and a fake WooCommerce store on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import HubSettings
from g4hub_core.vault import generate_key
from tests.api.stores.helpers import Account, sign_up

PUBLIC_URL = "http://testserver.local"


@pytest.fixture
def hub_settings(tmp_path: Path) -> HubSettings:
    return HubSettings(
        data_dir=tmp_path / "data",
        secret_keys=generate_key("test").encoded(),
        allow_private_store_hosts=True,
        public_url=PUBLIC_URL,
    )


@pytest.fixture
async def account(client: AsyncTestClient[Any]) -> Account:
    return await sign_up(client)


@pytest.fixture
def woo() -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=12)
    with store.serve():
        yield store
