"""The API and its database: integers that would overflow the database are a 422 on both
databases, and while PostgreSQL is unreachable every route answers 503 `database_unavailable`
and recovers by itself when it is back (reached through a proxy the test cuts, so the shared
server keeps running for everyone else)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

from g4hub_core import Hub, HubSettings
from g4hub_core.vault import generate_key
from hub_api.app import create_app
from hub_api.settings import ApiSettings
from tests.api.conftest import auth_headers, register
from tests.api.tcp_proxy import CuttableProxy
from tests.core.conftest import postgres_url  # noqa: F401 (a fixture, used by name)

JWT_SECRET = "database-test-jwt-secret-" + "x" * 32


def _settings(tmp_path: Path, database_url: str) -> HubSettings:
    return HubSettings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_keys=generate_key("test").encoded(),
        job_queue="embedded",
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'g4hub.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def any_client(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    settings = _settings(tmp_path, database_url)
    migrating = Hub(settings)
    await migrating.upgrade()
    await migrating.engine.dispose()
    app = create_app(settings, ApiSettings(jwt_secret=JWT_SECRET, log_json=False))
    async with AsyncTestClient(app=app) as client:
        yield client


@pytest.mark.parametrize(
    "query",
    [
        "page=4611686018427387904",  # 2**62: times 50 overflows 64 bits
        "page=9223372036854775808",  # 2**63
        "page=1000001",
        "page=99999999999999999999999999",
        "per_page=9223372036854775808",
    ],
)
async def test_integers_past_the_databases_range_are_422(
    any_client: AsyncTestClient[Any], query: str
) -> None:
    account = await register(any_client, email=f"o-{uuid.uuid4().hex[:6]}@example.com")
    headers = auth_headers(account["access_token"])
    created = await any_client.post(
        "/api/stores",
        headers=headers,
        params={"force": "true"},
        json={
            "name": "Shop",
            "platform": "woocommerce",
            "store_url": "https://shop.example",
            "consumer_key": "ck_" + "a" * 40,
            "consumer_secret": "cs_" + "b" * 40,
        },
    )
    store_id = created.json().get("id") if created.status_code == 201 else uuid.uuid4()

    response = await any_client.get(f"/api/stores/{store_id}/products?{query}", headers=headers)

    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] in {"invalid_input", "invalid_paging"}


@pytest.fixture
def proxy() -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(5432)
    proxy.start()
    yield proxy
    proxy.close()


async def test_routes_answer_503_while_postgresql_is_away_and_recover(
    postgres_url: str,  # noqa: F811 (the fixture imported above)
    proxy: CuttableProxy,
    tmp_path: Path,
) -> None:
    through_proxy = make_url(postgres_url).set(port=proxy.port)
    settings = _settings(tmp_path, through_proxy.render_as_string(hide_password=False))
    app = create_app(settings, ApiSettings(jwt_secret=JWT_SECRET, log_json=False))
    async with AsyncTestClient(app=app) as client:
        account = await register(client, email=f"o-{uuid.uuid4().hex[:6]}@example.com")
        headers = auth_headers(account["access_token"])
        assert (await client.get("/api/stores", headers=headers)).status_code == 200

        proxy.cut()
        for method, path, kwargs in [
            ("GET", "/api/stores", {"headers": headers}),  # the token check meets it first
            ("GET", "/api/dashboard/overview", {"headers": headers}),
            ("POST", "/api/auth/login", {"json": {"email": "a@example.com", "password": "x"}}),
            (
                "POST",
                "/api/auth/register",
                {
                    "json": {
                        "email": "new@example.com",
                        "password": "plum-orchard-42",
                        "tenant_name": "New",
                    }
                },
            ),
        ]:
            response = await client.request(method, path, **kwargs)
            assert response.status_code == 503, (path, response.text)
            error = response.json()["error"]
            assert error["code"] == "database_unavailable"
            assert response.headers["retry-after"] == "5"
            assert postgres_url.split("@")[-1] not in response.text
        assert (await client.get("/health")).status_code == 503

        proxy.restore()
        assert (await client.get("/api/stores", headers=headers)).status_code == 200
        assert (await client.get("/api/dashboard/overview", headers=headers)).status_code == 200
        assert (await client.get("/health")).status_code == 200
