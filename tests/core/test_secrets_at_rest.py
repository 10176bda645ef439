"""After a full flow (register, add stores, test, sync), no secret is anywhere in the database or
in the log output: not the store keys, not the token, not the password, not the vault key."""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import Hub, HubSettings
from g4hub_core.stores.schemas import StoreCreate

PASSWORD = "a-long-secret-passphrase"


def _database_text(settings: HubSettings) -> bytes:
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        files = [Path(url.database + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
        return b"".join(path.read_bytes() for path in files if path.exists())
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = []
    with psycopg.connect(dsn) as conn:
        for table in ("tenants", "users", "stores", "store_products", "sync_logs"):
            for (row,) in conn.execute(f"SELECT CAST(t AS text) FROM {table} AS t"):  # noqa: S608
                dump.append(row.encode())
    return b"\n".join(dump)


async def test_no_secret_in_the_database_or_the_logs(
    hub: Hub, settings: HubSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    woo, shop = FakeWooCommerceStore(products=40), FakeShopifyStore(products=40)
    with woo.serve(), shop.serve():
        async with hub.unit() as unit:
            account = await unit.accounts.register(
                email="owner@example.com", password=PASSWORD, tenant_name="Acme"
            )
            await unit.accounts.authenticate(email="owner@example.com", password=PASSWORD)
        tenant = account.tenant.id
        async with hub.unit(tenant) as unit:
            logs = []
            for name, fake in (("Woo", woo), ("Shop", shop)):
                store = await unit.stores.create(StoreCreate(name=name, **fake.credentials()))
                await unit.stores.test(store.id)
                logs.append(await unit.sync.request(store.id, trigger="initial"))
        for log in logs:
            assert (await hub.wait_for_sync(tenant, log.id)).status == "succeeded"
        async with hub.unit(tenant) as unit:  # a wrong key on the way is not kept either
            wrong = woo.wrong_credentials()
            await unit.stores.check(StoreCreate(name="x", **wrong))

    secrets = [
        woo.credentials()["consumer_key"],
        woo.credentials()["consumer_secret"],
        wrong["consumer_secret"],
        shop.credentials()["access_token"],
        PASSWORD,
    ]
    assert settings.secret_keys is not None
    key_material = settings.secret_keys.get_secret_value().partition(":")[2]
    stored = _database_text(settings)
    assert b"owner@example.com" in stored  # the scan does see the data
    for secret in [*secrets, key_material]:
        assert secret.encode() not in stored
        assert secret not in caplog.text
