"""Revocable sign-ins in the core: the token version a user's tokens must carry, raised by
signing out everywhere or disabling the user, on both databases."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import delete

from g4hub_core import AccessDenied, Hub, NotFound
from g4hub_core.models import User
from g4hub_core.tenants import Registration

PASSWORD = "correct horse battery staple"


async def _register(hub: Hub, email: str = "alice@example.com") -> Registration:
    async with hub.unit() as unit:
        return await unit.accounts.register(email=email, password=PASSWORD, tenant_name="Acme")


async def _version(hub: Hub, registration: Registration) -> int | None:
    async with hub.unit() as unit:
        return await unit.accounts.token_version(registration.user.id, registration.tenant.id)


async def test_a_new_user_is_at_version_zero(hub: Hub) -> None:
    registration = await _register(hub)
    assert await _version(hub, registration) == 0


async def test_ending_sessions_raises_the_version_each_time(hub: Hub) -> None:
    registration = await _register(hub)
    async with hub.unit(registration.tenant.id) as unit:
        assert await unit.accounts.end_sessions(registration.user.id) == 1
        assert await unit.accounts.end_sessions(registration.user.id) == 2
    assert await _version(hub, registration) == 2


async def test_concurrent_sign_outs_all_count(hub: Hub) -> None:
    registration = await _register(hub)

    async def sign_out() -> None:
        async with hub.unit(registration.tenant.id) as unit:
            await unit.accounts.end_sessions(registration.user.id)

    await asyncio.gather(*(sign_out() for _ in range(5)))
    assert await _version(hub, registration) == 5


async def test_a_disabled_user_has_no_version_and_cannot_sign_in(hub: Hub) -> None:
    registration = await _register(hub)
    async with hub.unit(registration.tenant.id) as unit:
        await unit.accounts.disable_user(registration.user.id)

    assert await _version(hub, registration) is None
    async with hub.unit() as unit:
        with pytest.raises(AccessDenied) as refused:
            await unit.accounts.authenticate(email="alice@example.com", password=PASSWORD)
    assert refused.value.code == "invalid_login"  # as a wrong password: nothing to learn


async def test_a_deleted_user_or_another_tenant_has_no_version(hub: Hub) -> None:
    alice = await _register(hub)
    bob = await _register(hub, "bob@example.com")
    async with hub.unit() as unit:
        assert await unit.accounts.token_version(alice.user.id, bob.tenant.id) is None
        assert await unit.accounts.token_version(uuid.uuid4(), alice.tenant.id) is None
        await unit.session.execute(delete(User).where(User.id == alice.user.id))
    assert await _version(hub, alice) is None


async def test_another_tenants_user_cannot_be_signed_out(hub: Hub) -> None:
    alice = await _register(hub)
    bob = await _register(hub, "bob@example.com")
    async with hub.unit(bob.tenant.id) as unit:
        with pytest.raises(NotFound):
            await unit.accounts.end_sessions(alice.user.id)
        with pytest.raises(NotFound):
            await unit.accounts.disable_user(alice.user.id)
    assert await _version(hub, alice) == 0
