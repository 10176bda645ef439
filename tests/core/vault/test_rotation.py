"""Key rotation: every store's credentials re-sealed under the newest key, batch by batch, safe
to interrupt and re-run."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL, make_url

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub, HubSettings, VaultError
from g4hub_core.models import Store
from g4hub_core.stores.connection import connector_config, open_settings, seal_settings
from g4hub_core.vault import Sealed, SecretKey, Vault, generate_key
from g4hub_core.vault.rotation import RotationReport, rotate_credentials
from tests.core.factories import insert_store, insert_tenant

KEY_A, KEY_B = generate_key("A"), generate_key("B")


@asynccontextmanager
async def hub_with(database_url: str, data_dir: Path, *keys: SecretKey) -> AsyncIterator[Hub]:
    settings = HubSettings(
        database_url=database_url,
        data_dir=data_dir,
        secret_keys=",".join(key.encoded() for key in keys),
        allow_private_store_hosts=True,
    )
    hub = Hub(settings)
    try:
        yield hub
    finally:
        await hub.close()


async def seed_stores(hub: Hub) -> dict[uuid.UUID, dict[str, Any]]:
    """Five stores in two tenants, sealed under the hub's key: their credentials by store id."""
    tenants = [await insert_tenant(hub, "First"), await insert_tenant(hub, "Second")]
    credentials = {}
    for index in range(5):
        fake = FakeWooCommerceStore(products=5, seed=index + 1, url=f"https://shop{index}.example")
        settings = fake.credentials()
        store_id = await insert_store(hub, tenants[index % 2], settings, name=f"Shop {index}")
        credentials[store_id] = settings
    return credentials


async def stores_by_id(hub: Hub) -> dict[uuid.UUID, Store]:
    async with hub.unit() as unit:
        return {store.id: store for store in await unit.session.scalars(select(Store))}


def key_ids(stores: dict[uuid.UUID, Store]) -> dict[uuid.UUID, str]:
    return {store_id: store.api_credentials.key_id for store_id, store in stores.items()}


async def test_rotation_survives_an_interruption_and_a_rerun_finishes(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with hub_with(database_url, tmp_path / "a", KEY_A) as hub_a:
        credentials = await seed_stores(hub_a)
    by_id_order = sorted(credentials, key=lambda store_id: store_id.hex)

    async with hub_with(database_url, tmp_path / "b", KEY_B, KEY_A) as hub_b:
        before = await stores_by_id(hub_b)
        # The second batch fails at its first seal: the first batch has committed already.
        seal, calls = Vault.seal, 0

        def failing_seal(self: Vault, plaintext: bytes, *, context: bytes) -> Any:
            nonlocal calls
            calls += 1
            if calls > 2:
                raise RuntimeError("interrupted")
            return seal(self, plaintext, context=context)

        with monkeypatch.context() as patched:
            patched.setattr(Vault, "seal", failing_seal)
            with pytest.raises(RuntimeError, match="interrupted"):
                await rotate_credentials(hub_b, batch_size=2)

        interrupted = await stores_by_id(hub_b)
        assert key_ids(interrupted) == {
            store_id: "B" if store_id in by_id_order[:2] else "A" for store_id in by_id_order
        }
        for store_id in by_id_order[2:]:
            assert interrupted[store_id].api_credentials == before[store_id].api_credentials
            assert interrupted[store_id].updated_at == before[store_id].updated_at

        report = await rotate_credentials(hub_b, batch_size=2)
        assert report == RotationReport(resealed=3, already_current=2, batches=2)
        rotated = await stores_by_id(hub_b)
        assert set(key_ids(rotated).values()) == {"B"}
        assert await rotate_credentials(hub_b, batch_size=2) == RotationReport(
            resealed=0, already_current=5, batches=0
        )

    async with hub_with(database_url, tmp_path / "c", KEY_B) as hub_only_b:
        for store_id, store in (await stores_by_id(hub_only_b)).items():
            opened = open_settings(store, vault=hub_only_b.vault)
            expected = credentials[store_id]
            assert opened["consumer_key"] == expected["consumer_key"]
            assert opened["consumer_secret"] == expected["consumer_secret"]
            assert store.updated_at == before[store_id].updated_at


async def test_rotation_in_one_pass_counts_every_store(database_url: str, tmp_path: Path) -> None:
    async with hub_with(database_url, tmp_path / "a", KEY_A) as hub_a:
        await seed_stores(hub_a)
    async with hub_with(database_url, tmp_path / "b", KEY_B, KEY_A) as hub_b:
        assert await rotate_credentials(hub_b) == RotationReport(
            resealed=5, already_current=0, batches=1
        )


async def test_an_edit_during_rotation_keeps_its_credentials(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with hub_with(database_url, tmp_path / "a", KEY_A) as hub_a:
        credentials = await seed_stores(hub_a)
    first = min(credentials, key=lambda store_id: store_id.hex)
    url = make_url(database_url)
    async with hub_with(database_url, tmp_path / "b", KEY_B, KEY_A) as hub_b:
        edited = seal_settings(
            connector_config(FakeWooCommerceStore(seed=99).credentials()),
            vault=hub_b.vault,
            tenant_id=(await stores_by_id(hub_b))[first].tenant_id,
            store_id=first,
        )
        opened, blocked = Vault.open, []

        def edit_while_opening(self: Vault, sealed: Sealed, *, context: bytes) -> bytes:
            # The tenant edits the first store's credentials (from another connection) while
            # the rotation holds them open.
            if not blocked:
                blocked.append(edit_from_another_connection(url, first, edited))
            return opened(self, sealed, context=context)

        monkeypatch.setattr(Vault, "open", edit_while_opening)
        report = await rotate_credentials(hub_b)
        monkeypatch.undo()

        if url.get_backend_name() == "postgresql":
            # The batch's rows were locked: the edit waits for the rotation, then wins.
            assert blocked == [True]
            edit_from_another_connection(url, first, edited)
            assert report == RotationReport(resealed=5, already_current=0, batches=1)
        else:
            # The edit went through first: the rotation does not overwrite it.
            assert blocked == [False]
            assert report == RotationReport(resealed=4, already_current=1, batches=1)
        store = (await stores_by_id(hub_b))[first]
        assert store.api_credentials == edited
        assert open_settings(store, vault=hub_b.vault)["consumer_key"] == (
            FakeWooCommerceStore(seed=99).consumer_key
        )


def edit_from_another_connection(url: URL, store_id: uuid.UUID, sealed: Sealed) -> bool:
    """Write `sealed` as the store's credentials; `True` if the row was locked."""
    if url.get_backend_name() == "sqlite":
        with closing(sqlite3.connect(str(url.database))) as conn, conn:
            conn.execute(
                "UPDATE stores SET api_credentials = ? WHERE id = ?", (sealed.token, store_id.hex)
            )
        return False
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        try:
            conn.execute("SELECT 1 FROM stores WHERE id = %s FOR UPDATE NOWAIT", (store_id,))
        except psycopg.errors.LockNotAvailable:
            return True
        conn.execute(
            "UPDATE stores SET api_credentials = %s WHERE id = %s", (sealed.token, store_id)
        )
    return False


async def test_a_store_that_cannot_be_opened_stops_the_rotation_naming_it(
    database_url: str, tmp_path: Path
) -> None:
    async with hub_with(database_url, tmp_path / "a", KEY_A) as hub_a:
        credentials = await seed_stores(hub_a)
    first = min(credentials, key=lambda store_id: store_id.hex)
    async with hub_with(database_url, tmp_path / "b", KEY_B) as hub_without_a:
        with pytest.raises(VaultError) as caught:
            await rotate_credentials(hub_without_a, batch_size=2)
        assert caught.value.code == "vault_key_missing"
        assert caught.value.details["store_id"] == str(first)
        assert str(first) in caught.value.message
        assert set(key_ids(await stores_by_id(hub_without_a)).values()) == {"A"}


async def test_batch_size_must_be_positive(hub: Hub) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        await rotate_credentials(hub, batch_size=0)
