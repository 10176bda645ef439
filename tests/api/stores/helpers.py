"""Steps the API tests share: signing up over the API, adding a fake store, and checking that no
credential ever comes back."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeStore
from tests.api.conftest import auth_headers, register

__all__ = [
    "SECRET_FIELDS",
    "Account",
    "add_store",
    "assert_no_secret",
    "names_field",
    "sign_up",
]

SECRET_FIELDS = ("consumer_key", "consumer_secret", "access_token", "client_secret")


@dataclass(frozen=True)
class Account:
    """A registered tenant's owner, as the tests use it."""

    tenant_id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return auth_headers(self.token)


async def sign_up(client: AsyncTestClient[Any], *, tenant_name: str = "Acme") -> Account:
    body = await register(client, tenant_name=tenant_name)
    return Account(tenant_id=uuid.UUID(body["tenant"]["id"]), token=body["access_token"])


async def add_store(
    client: AsyncTestClient[Any],
    account: Account,
    store: FakeStore,
    *,
    name: str = "Shop",
    **extra: Any,
) -> dict[str, Any]:
    """Add a served fake store over the API (with its working credentials, or `extra`'s);
    asserts 201 and returns the store's JSON."""
    response = await client.post(
        "/api/stores",
        json={"name": name, **store.credentials(), **extra},
        headers=account.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_no_secret(texts: Iterable[str], *credentials: dict[str, Any]) -> None:
    """No credential value of any of `credentials` appears in any of `texts`. The failure names
    the field, never the value."""
    secrets = {
        name: str(given[name]) for given in credentials for name in SECRET_FIELDS if given.get(name)
    }
    for text in texts:
        for name, value in secrets.items():
            assert value not in text, f"a {name} appears in a response"


def names_field(error: dict[str, Any], field: str) -> bool:
    """Whether a 422's details name `field` (flat, or under `fields`)."""
    details: dict[str, Any] = error["details"]
    nested = details.get("fields")
    return field in details or (isinstance(nested, dict) and field in nested)
