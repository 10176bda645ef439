"""Tenant scoping of the users and tenants repositories: another tenant's rows do not exist."""

from __future__ import annotations

import uuid

import pytest

from g4hub_core import Hub, NotFound
from g4hub_core.models import User
from g4hub_core.tenants.repository import OwnTenantRepository, UserDirectory, UserRepository
from tests.core.factories import insert_tenant


async def add_user(hub: Hub, tenant_id: uuid.UUID, email: str) -> uuid.UUID:
    async with hub.unit(tenant_id) as unit:
        user = UserRepository(unit.session, tenant_id).add(
            User(id=uuid.uuid4(), email=email, password_hash="unused")
        )
    return user.id


async def test_another_tenants_users_and_tenant_are_invisible(hub: Hub) -> None:
    first = await insert_tenant(hub, "First")
    second = await insert_tenant(hub, "Second")
    alice = await add_user(hub, first, "alice@example.com")
    async with hub.unit(second) as unit:
        users = UserRepository(unit.session, second)
        assert await users.get(alice) is None
        with pytest.raises(NotFound):
            await users.get_or_raise(alice)
        assert (await unit.session.scalars(users.statement())).all() == []
        tenants = OwnTenantRepository(unit.session, second)
        assert await tenants.get(first) is None
        with pytest.raises(NotFound):
            await tenants.get_or_raise(first)
        assert (await tenants.get_or_raise(second)).name == "Second"


async def test_another_tenants_users_cannot_be_changed(hub: Hub) -> None:
    first = await insert_tenant(hub, "First")
    second = await insert_tenant(hub, "Second")
    alice = await add_user(hub, first, "alice@example.com")
    async with hub.unit(first) as unit:
        row = await UserRepository(unit.session, first).get_or_raise(alice)
        with pytest.raises(ValueError, match="own tenant"):
            await UserRepository(unit.session, second).delete(row)
        with pytest.raises(ValueError, match="own tenant"):
            UserRepository(unit.session, second).add(
                User(tenant_id=first, email="eve@example.com", password_hash="unused")
            )


async def test_the_directory_finds_users_by_email_across_tenants(hub: Hub) -> None:
    first = await insert_tenant(hub, "First")
    second = await insert_tenant(hub, "Second")
    alice = await add_user(hub, first, "alice@example.com")
    bob = await add_user(hub, second, "bob@example.com")
    async with hub.unit() as unit:
        directory = UserDirectory(unit.session)
        found_alice = await directory.find_by_email("alice@example.com")
        found_bob = await directory.find_by_email("bob@example.com", for_update=True)
        assert found_alice is not None
        assert found_bob is not None
        assert (found_alice.id, found_bob.id) == (alice, bob)
        assert await directory.find_by_email("carol@example.com") is None
