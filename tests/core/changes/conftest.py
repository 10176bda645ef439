from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from g4hub_core import HubSettings
from tests.core.sync.helpers import HubFactory


@pytest.fixture
async def make_hub(settings: HubSettings) -> AsyncIterator[HubFactory]:
    """Hubs wired to fake stores in-process: `await make_hub(store, public_url=...)`."""
    factory = HubFactory(settings)
    yield factory
    await factory.close()
