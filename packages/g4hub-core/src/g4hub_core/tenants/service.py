"""Registration, sign-in and reading accounts."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.db.base import utcnow
from g4hub_core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from g4hub_core.models import Tenant, User
from g4hub_core.tenants.emails import normalize_email
from g4hub_core.tenants.passwords import (
    check_password_strength,
    hash_password,
    needs_rehash,
    verify_dummy,
    verify_password,
)
from g4hub_core.tenants.repository import OwnTenantRepository, UserDirectory, UserRepository
from g4hub_core.tenants.schemas import Registration, TenantRead, UserRead

if TYPE_CHECKING:
    from g4hub_core.unit import UnitOfWork

__all__ = ["MAX_TENANT_NAME_LENGTH", "AccountService"]

MAX_TENANT_NAME_LENGTH = 200


class AccountService:
    """Accounts, as `unit.accounts`. `register` and `authenticate` work in a unit without a
    tenant; `get_user` and `get_tenant` see only the unit's tenant."""

    def __init__(self, unit: UnitOfWork) -> None:
        self._unit = unit

    @property
    def _session(self) -> AsyncSession:
        return self._unit.session

    async def register(self, *, email: str, password: str, tenant_name: str) -> Registration:
        """Create a tenant and its owner.

        Raises `InvalidInput` (`invalid_email`, `invalid_tenant_name`, `weak_password`) or
        `Conflict(code="email_taken")`, also when another registration takes the email first.
        """
        normalized = normalize_email(email)
        name = _tenant_name(tenant_name)
        check_password_strength(password, email=normalized)
        session = self._session
        if await UserDirectory(session).find_by_email(normalized) is not None:
            raise _email_taken()
        # Hashing takes tens of milliseconds of CPU; argon2 releases the GIL, so a thread keeps
        # the event loop serving others meanwhile.
        password_hash = await asyncio.to_thread(hash_password, password)

        tenant = Tenant(id=uuid.uuid4(), name=name)
        session.add(tenant)
        # Flushed before the savepoint: SQLite's driver only opens a transaction at the first
        # write, and a SAVEPOINT outside one would commit when released.
        await session.flush()
        user = User(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            email=normalized,
            password_hash=password_hash,
            role="owner",
        )
        try:
            # Another registration may take the email between the check and this insert; the
            # savepoint keeps the unit's transaction usable when the unique index refuses it.
            async with session.begin_nested():
                UserRepository(session, tenant.id).add(user)
        except IntegrityError:
            await session.delete(tenant)
            await session.flush()
            raise _email_taken() from None
        return Registration(
            user=UserRead.model_validate(user), tenant=TenantRead.model_validate(tenant)
        )

    async def authenticate(self, *, email: str, password: str) -> UserRead:
        """The user whose email and password these are; records the sign-in.

        Raises `AccessDenied(code="invalid_login")`, the same for an unknown email and a wrong
        password. Upgrades the stored hash when the hashing parameters have changed.
        """
        try:
            normalized = normalize_email(email)
        except InvalidInput:
            normalized = None
        user = None
        if normalized is not None:
            user = await UserDirectory(self._session).find_by_email(normalized)
        if user is None:
            await asyncio.to_thread(verify_dummy, password)
            raise _invalid_login()
        if not await asyncio.to_thread(verify_password, user.password_hash, password):
            raise _invalid_login()
        # After the password check, so a disabled account answers like any wrong password to
        # someone who does not know it.
        if user.disabled_at is not None:
            raise _invalid_login()
        if needs_rehash(user.password_hash):
            user.password_hash = await asyncio.to_thread(hash_password, password)
        user.last_login_at = utcnow()
        await self._session.flush()
        return UserRead.model_validate(user)

    async def token_version(self, user_id: uuid.UUID, tenant_id: uuid.UUID) -> int | None:
        """The `token_version` a token of this user must carry to be honoured; `None` when the
        user is gone, disabled, or not of `tenant_id`. Works in a unit without a tenant: it is
        what decides which tenant a request belongs to."""
        state = await UserDirectory(self._session).sign_in_state(user_id)
        if state is None:
            return None
        user_tenant, version, disabled_at = state
        if user_tenant != tenant_id or disabled_at is not None:
            return None
        return version

    async def end_sessions(self, user_id: uuid.UUID) -> int:
        """Sign a user of the unit's tenant out everywhere: every token issued so far stops
        working (from the next request on). Returns the new version, for a fresh token."""
        return await self._bump_token_version(user_id)

    async def disable_user(self, user_id: uuid.UUID) -> None:
        """Refuse a user of the unit's tenant from now on: no new sign-in, and every token they
        hold stops working."""
        await self._bump_token_version(user_id, disabled_at=utcnow())

    async def _bump_token_version(self, user_id: uuid.UUID, **values: object) -> int:
        # One UPDATE adding 1 in the database: two sign-outs at once both count.
        statement = (
            update(User)
            .where(User.id == user_id, User.tenant_id == self._unit.tenant_id)
            .values(token_version=User.token_version + 1, **values)
            .returning(User.token_version)
        )
        version = (await self._session.execute(statement)).scalar_one_or_none()
        if version is None:
            raise NotFound(f"No user with id {user_id}.", details={"id": str(user_id)})
        return version

    async def change_password(
        self, user_id: uuid.UUID, *, current_password: str, new_password: str
    ) -> None:
        """Set a user's password, given the current one. Raises `AccessDenied(code=
        "wrong_password")` when the current password is wrong, `InvalidInput(code=
        "weak_password")` when the new one is too weak, `NotFound` for another tenant's user."""
        user = await UserRepository(self._session, self._unit.tenant_id).get_or_raise(user_id)
        if not await asyncio.to_thread(verify_password, user.password_hash, current_password):
            raise AccessDenied("The current password is wrong.", code="wrong_password")
        check_password_strength(new_password, email=user.email)
        user.password_hash = await asyncio.to_thread(hash_password, new_password)
        await self._session.flush()

    async def rename_tenant(self, name: str) -> TenantRead:
        """Give the unit's tenant (the merchant's business) a new name. Raises
        `InvalidInput(code="invalid_tenant_name")` for an empty or too long one."""
        tenants = OwnTenantRepository(self._session, self._unit.tenant_id)
        tenant = await tenants.get_or_raise(self._unit.tenant_id)
        tenant.name = _tenant_name(name)
        await self._session.flush()
        return TenantRead.model_validate(tenant)

    async def get_user(self, user_id: uuid.UUID) -> UserRead:
        """A user of the unit's tenant; `NotFound` otherwise."""
        users = UserRepository(self._session, self._unit.tenant_id)
        return UserRead.model_validate(await users.get_or_raise(user_id))

    async def get_tenant(self, tenant_id: uuid.UUID) -> TenantRead:
        """The unit's own tenant; any other id is `NotFound`."""
        tenants = OwnTenantRepository(self._session, self._unit.tenant_id)
        return TenantRead.model_validate(await tenants.get_or_raise(tenant_id))


def _tenant_name(raw: str) -> str:
    name = raw.strip()
    if not 1 <= len(name) <= MAX_TENANT_NAME_LENGTH or not name.isprintable():
        message = f"Enter a name for your organisation, up to {MAX_TENANT_NAME_LENGTH} characters."
        raise InvalidInput(message, code="invalid_tenant_name", details={"tenant_name": message})
    return name


def _email_taken() -> Conflict:
    return Conflict(
        "An account with this email already exists. Sign in instead, or use another email.",
        code="email_taken",
        details={"email": "taken"},
    )


def _invalid_login() -> AccessDenied:
    return AccessDenied("Wrong email or password.", code="invalid_login")
