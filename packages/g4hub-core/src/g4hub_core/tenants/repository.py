"""Users and tenants in the database.

Everything here is scoped to one tenant except `UserDirectory`, the lookup by email that
sign-in and registration need before any tenant is known.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.errors import NotFound
from g4hub_core.models import Tenant, User
from g4hub_core.repository import TenantRepository

__all__ = ["OwnTenantRepository", "SignInState", "UserDirectory", "UserRepository"]

SignInState = tuple[uuid.UUID, int, datetime | None]
"""A user's (tenant id, token version, disabled at)."""


class UserRepository(TenantRepository[User]):
    """The users of one tenant."""

    model = User
    noun = "user"


class OwnTenantRepository:
    """The tenant row of the tenant it is built with. Any other tenant's row does not exist
    here: asking for it is `NotFound`, exactly as for an unknown id."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def get(self, id_: uuid.UUID) -> Tenant | None:
        if id_ != self.tenant_id:
            return None
        return await self.session.get(Tenant, id_)

    async def get_or_raise(self, id_: uuid.UUID) -> Tenant:
        found = await self.get(id_)
        if found is None:
            raise NotFound(f"No tenant with id {id_}.", details={"id": str(id_)})
        return found


class UserDirectory:
    """Users found by email across all tenants: the one unscoped lookup.

    At sign-in the email is what tells which tenant the person belongs to, so no tenant can
    scope the query; and emails are unique across the hub, so registration must check them
    across tenants too. Callers get the user row and from then on work within its tenant.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_by_email(self, email: str, *, for_update: bool = False) -> User | None:
        """The user with this normalized email (see `tenants.emails.normalize_email`)."""
        statement = select(User).where(User.email == email)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.scalars(statement)).one_or_none()

    async def sign_in_state(self, user_id: uuid.UUID) -> SignInState | None:
        """What a token must agree with, by primary key (checked on every request, so three
        columns and no row object); `None` when no such user exists."""
        statement = select(User.tenant_id, User.token_version, User.disabled_at).where(
            User.id == user_id
        )
        row = (await self.session.execute(statement)).one_or_none()
        return None if row is None else (row[0], row[1], row[2])
