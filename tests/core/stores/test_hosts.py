"""Store hosts on private networks are refused unless the hub allows them."""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from g4hub_connectors import ConnectorError
from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import Hub, HubSettings, InvalidInput
from g4hub_core.stores import StoreCreate, StoreCredentials, StoreUpdate
from g4hub_core.stores.hosts import (
    HostNotAllowed,
    check_store_host,
    is_public_address,
    vetted_addresses,
)
from g4hub_core.stores.transport import PinnedTransport
from tests.core.stores.helpers import count_stores, create

PRIVATE = [
    "http://127.0.0.1:8080",
    "https://localhost",
    "http://10.0.0.5",
    "http://169.254.169.254",  # the cloud metadata service
    "http://[::1]:8080",
    "https://192.168.1.20/shop",
    "https://[::ffff:127.0.0.1]",
    "https://0.0.0.0",
]


@pytest.mark.parametrize("url", PRIVATE)
async def test_private_hosts_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await check_store_host(url, allow_private=False)
    assert caught.value.code == "store_host_not_allowed"
    assert "store_url" in caught.value.details


@pytest.mark.parametrize("url", [*PRIVATE, "127.0.0.1:9000"])
async def test_private_hosts_pass_when_allowed(url: str) -> None:
    await check_store_host(url, allow_private=True)


@pytest.mark.parametrize("url", ["https://8.8.8.8", "8.8.8.8/shop", "https://[2001:4860::8888]"])
async def test_public_addresses_pass(url: str) -> None:
    await check_store_host(url, allow_private=False)


def test_public_address_classification() -> None:
    assert is_public_address("8.8.8.8")
    assert not is_public_address("172.16.0.1")
    assert not is_public_address("fe80::1%eth0")
    assert not is_public_address("::ffff:10.0.0.1")


@pytest.fixture
async def restricted(database_url: str, tmp_path: Path, hub: Hub) -> AsyncIterator[Hub]:
    """A second hub on the same database that refuses private hosts (`hub` made the schema)."""
    settings = HubSettings(
        database_url=database_url,
        data_dir=tmp_path / "restricted",
        secret_keys=hub.settings.secret_keys,
        allow_private_store_hosts=False,
    )
    other = Hub(settings)
    try:
        yield other
    finally:
        await other.close()


@pytest.mark.parametrize("url", ["127.0.0.1", "localhost", "10.0.0.5", "169.254.169.254", "[::1]"])
async def test_the_service_refuses_private_hosts_before_any_request(
    restricted: Hub, hub: Hub, tenant_id: uuid.UUID, url: str
) -> None:
    shop = FakeWooCommerceStore(products=3)
    with shop.serve():
        port = shop.url.rsplit(":", 1)[1]
        credentials = shop.credentials(store_url=f"http://{url}:{port}")
        async with restricted.unit(tenant_id) as unit:
            with pytest.raises(InvalidInput) as checked:
                await unit.stores.check(StoreCredentials(**credentials))
            with pytest.raises(InvalidInput) as created:
                await unit.stores.create(StoreCreate(name="Shop", **credentials), force=True)
    assert checked.value.code == created.value.code == "store_host_not_allowed"
    assert shop.requests == []
    assert await count_stores(hub) == 0


async def test_saved_stores_on_private_hosts_are_refused_too(
    restricted: Hub, hub: Hub, tenant_id: uuid.UUID
) -> None:
    shop = FakeShopifyStore(products=3)
    with shop.serve():
        store = await create(hub, tenant_id, shop.credentials())
        async with restricted.unit(tenant_id) as unit:
            for attempt in (unit.stores.test, unit.stores.open_connector):
                with pytest.raises(InvalidInput) as caught:
                    await attempt(store.id)
                assert caught.value.code == "store_host_not_allowed"
            with pytest.raises(InvalidInput):
                await unit.stores.update(
                    store.id, StoreUpdate(access_token=shop.access_token + "0"), force=True
                )
            assert (
                await unit.stores.update(store.id, StoreUpdate(name="Renamed"))
            ).name == "Renamed"


@pytest.mark.parametrize(
    "url", ["https://shop.localhost", "http://a.b.localhost:8080", "https://LOCALHOST."]
)
async def test_localhost_names_are_refused_without_a_lookup(url: str) -> None:
    async def resolver(host: str, port: int) -> Sequence[str]:
        raise AssertionError("a localhost name must not be looked up")

    with pytest.raises(InvalidInput) as caught:
        await check_store_host(url, allow_private=False, resolver=resolver)
    assert caught.value.code == "store_host_not_allowed"


async def test_one_private_answer_among_public_ones_refuses_the_name() -> None:
    async def mixed(host: str, port: int) -> Sequence[str]:
        return ["8.8.8.8", "10.1.2.3"]

    with pytest.raises(HostNotAllowed):
        await vetted_addresses("shop.example.com", 443, allow_private=False, resolver=mixed)
    assert await vetted_addresses("shop.example.com", 443, allow_private=True, resolver=mixed) == [
        "8.8.8.8",
        "10.1.2.3",
    ]


async def test_a_name_without_addresses_is_not_resolved() -> None:
    async def empty(host: str, port: int) -> Sequence[str]:
        return []

    with pytest.raises(socket.gaierror):
        await vetted_addresses("shop.example.com", 443, allow_private=False, resolver=empty)


async def test_the_hub_connects_through_a_pinned_client_by_default(
    restricted: Hub, hub: Hub
) -> None:
    assert isinstance(restricted.http_client._transport, PinnedTransport)
    assert isinstance(hub.http_client._transport, PinnedTransport)


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A local name table in which `rebind.example.com` fails to resolve, then answers
    127.0.0.1, then fails again, and so on; returns the log of its lookups."""
    lookups: list[str] = []
    guarded = socket.getaddrinfo

    def table(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name != "rebind.example.com":
            return guarded(host, port, *args, **kwargs)
        lookups.append(host)
        if len(lookups) % 2:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return guarded("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", table)
    return lookups


async def test_a_rebinding_store_host_never_reaches_loopback_through_the_hub(
    restricted: Hub, hub: Hub, tenant_id: uuid.UUID, rebinding_dns: list[str]
) -> None:
    shop = FakeWooCommerceStore(products=3)
    with shop.serve():
        port = shop.url.rsplit(":", 1)[1]
        credentials = shop.credentials(store_url=f"http://rebind.example.com:{port}")
        store = await create(hub, tenant_id, credentials, force=True)
        shop.requests.clear()
        for _ in range(4):
            # Whichever lookup a step gets, it is refused: by the early check (InvalidInput)
            # or by the transport (a failed connection), never by reaching the store.
            async with restricted.unit(tenant_id) as unit:
                with contextlib.suppress(InvalidInput):
                    assert not (await unit.stores.check(StoreCredentials(**credentials))).success
                with contextlib.suppress(InvalidInput):
                    assert (await unit.stores.test(store.id)).connection_status == "failed"
                with contextlib.suppress(InvalidInput):
                    async with await unit.stores.open_connector(store.id) as connector:
                        with pytest.raises(ConnectorError):
                            await connector.count_products()
    assert len(rebinding_dns) >= 12
    assert shop.requests == []
