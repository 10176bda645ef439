"""Registration and sign-in through `unit.accounts`, on both databases."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from g4hub_core import AccessDenied, Conflict, Hub, InvalidInput, NotFound
from g4hub_core.models import Tenant, User
from g4hub_core.tenants import Registration, UserRead
from g4hub_core.tenants import service as service_module
from g4hub_core.tenants.passwords import hash_password, needs_rehash, verify_password
from tests.core.factories import insert_tenant

PASSWORD = "correct horse battery staple"


async def register(
    hub: Hub, email: str = "alice@example.com", *, tenant_name: str = "Acme"
) -> Registration:
    async with hub.unit() as unit:
        return await unit.accounts.register(email=email, password=PASSWORD, tenant_name=tenant_name)


async def count(hub: Hub, model: type[Tenant] | type[User]) -> int:
    async with hub.unit() as unit:
        return await unit.session.scalar(select(func.count()).select_from(model)) or 0


async def test_register_creates_a_tenant_and_its_owner(hub: Hub) -> None:
    registration = await register(hub, tenant_name="  Acme Shops  ")
    assert registration.tenant.name == "Acme Shops"
    assert registration.user.tenant_id == registration.tenant.id
    assert registration.user.role == "owner"
    assert registration.user.last_login_at is None
    assert "password_hash" not in UserRead.model_fields
    async with hub.unit() as unit:
        stored = await unit.session.get(User, registration.user.id)
        assert stored is not None
        assert stored.password_hash.startswith("$argon2id$")
        assert verify_password(stored.password_hash, PASSWORD)


async def test_email_is_normalized_and_signs_in_in_any_case(hub: Hub) -> None:
    registration = await register(hub, " Alice@Example.COM ")
    assert registration.user.email == "alice@example.com"
    async with hub.unit() as unit:
        user = await unit.accounts.authenticate(email="ALICE@example.com ", password=PASSWORD)
    assert user.id == registration.user.id
    assert user.email == "alice@example.com"
    assert user.last_login_at is not None
    async with hub.unit(registration.tenant.id) as unit:
        assert (await unit.accounts.get_user(user.id)).last_login_at == user.last_login_at


async def test_a_registration_rolls_back_with_its_unit(hub: Hub) -> None:
    async def register_then_fail() -> None:
        async with hub.unit() as unit:
            await unit.accounts.register(
                email="alice@example.com", password=PASSWORD, tenant_name="Acme"
            )
            raise RuntimeError("the request failed after registering")

    with pytest.raises(RuntimeError):
        await register_then_fail()
    assert await count(hub, Tenant) == 0
    assert await count(hub, User) == 0


@pytest.mark.parametrize("again", ["alice@example.com", "ALICE@EXAMPLE.COM", " Alice@example.com"])
async def test_a_taken_email_in_any_case_is_a_conflict(hub: Hub, again: str) -> None:
    await register(hub, "alice@example.com")
    with pytest.raises(Conflict) as caught:
        await register(hub, again, tenant_name="Other")
    assert caught.value.code == "email_taken"
    assert caught.value.message == (
        "An account with this email already exists. Sign in instead, or use another email."
    )
    assert await count(hub, Tenant) == 1


async def test_losing_a_registration_race_is_a_conflict_and_leaves_the_unit_usable(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another registration commits the same email between this one's check and its insert: the
    # moment it hashes the password (in a thread, so the event loop can run the other one).
    loop = asyncio.get_running_loop()
    other_tenant = await insert_tenant(hub, "First")

    async def first_registration_commits() -> None:
        async with hub.unit() as unit:
            unit.session.add(
                User(
                    tenant_id=other_tenant,
                    email="alice@example.com",
                    password_hash=hash_password(PASSWORD),
                )
            )

    raced: list[bool] = []

    def hash_while_racing(password: str) -> str:
        asyncio.run_coroutine_threadsafe(first_registration_commits(), loop).result()
        raced.append(True)
        return hash_password(password)

    monkeypatch.setattr(service_module, "hash_password", hash_while_racing)
    async with hub.unit() as unit:
        with pytest.raises(Conflict) as caught:
            await unit.accounts.register(
                email="alice@example.com", password=PASSWORD, tenant_name="Second"
            )
        assert caught.value.code == "email_taken"
        assert raced == [True], "the check passed; the unique index refused the insert"
        # The unit's transaction survived the refused insert, without the half-made tenant.
        assert await unit.session.scalar(select(func.count()).select_from(Tenant)) == 1
    assert await count(hub, Tenant) == 1
    assert await count(hub, User) == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"email": "not-an-email"}, "invalid_email"),
        ({"tenant_name": "   "}, "invalid_tenant_name"),
        ({"tenant_name": "x" * 201}, "invalid_tenant_name"),
        ({"password": "short"}, "weak_password"),
        ({"password": "alice-wonderland"}, "weak_password"),
        ({"password": "Password123"}, "weak_password"),
    ],
)
async def test_invalid_registrations_are_refused_and_save_nothing(
    hub: Hub, fields: dict[str, str], code: str
) -> None:
    given = {"email": "alice@example.com", "password": PASSWORD, "tenant_name": "Acme"} | fields
    async with hub.unit() as unit:
        with pytest.raises(InvalidInput) as caught:
            await unit.accounts.register(**given)
    assert caught.value.code == code
    shown = f"{caught.value} {caught.value!r} {caught.value.details}"
    assert given["password"] not in shown
    assert await count(hub, Tenant) == 0


async def test_a_wrong_login_says_the_same_for_unknown_email_and_wrong_password(hub: Hub) -> None:
    await register(hub)
    errors = []
    for email, password in [
        ("nobody@example.com", PASSWORD),
        ("alice@example.com", "wrong horse battery staple"),
        ("not an email", PASSWORD),
    ]:
        async with hub.unit() as unit:
            with pytest.raises(AccessDenied) as caught:
                await unit.accounts.authenticate(email=email, password=password)
        error = caught.value
        assert password not in f"{error} {error!r} {error.details}"
        errors.append((type(error), error.code, error.message, error.details))
    assert errors[0] == errors[1] == errors[2]
    assert errors[0][1:3] == ("invalid_login", "Wrong email or password.")
    async with hub.unit() as unit:
        user = await unit.session.scalar(select(User))
        assert user is not None
        assert user.last_login_at is None


async def test_sign_in_upgrades_a_hash_made_with_older_parameters(hub: Hub) -> None:
    registration = await register(hub)
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    async with hub.unit() as unit:
        await unit.session.execute(
            update(User).where(User.id == registration.user.id).values(password_hash=cheap)
        )
    async with hub.unit() as unit:
        await unit.accounts.authenticate(email="alice@example.com", password=PASSWORD)
    async with hub.unit() as unit:
        stored = await unit.session.get(User, registration.user.id)
        assert stored is not None
        assert stored.password_hash != cheap
        assert not needs_rehash(stored.password_hash)
        assert verify_password(stored.password_hash, PASSWORD)


async def test_get_user_and_tenant_see_only_the_units_tenant(hub: Hub) -> None:
    first = await register(hub, "alice@example.com", tenant_name="First")
    second = await register(hub, "bob@example.com", tenant_name="Second")
    async with hub.unit(first.tenant.id) as unit:
        assert await unit.accounts.get_user(first.user.id) == first.user
        assert await unit.accounts.get_tenant(first.tenant.id) == first.tenant
    async with hub.unit(second.tenant.id) as unit:
        with pytest.raises(NotFound):
            await unit.accounts.get_user(first.user.id)
        with pytest.raises(NotFound):
            await unit.accounts.get_tenant(first.tenant.id)
        with pytest.raises(NotFound):
            await unit.accounts.get_user(uuid.uuid4())
    async with hub.unit() as unit:
        with pytest.raises(AccessDenied):
            await unit.accounts.get_user(first.user.id)
