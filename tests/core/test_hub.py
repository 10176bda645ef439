"""Building the hub from settings, and the unit of work."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from g4hub_core import AccessDenied, Hub
from g4hub_core.models import Tenant


async def test_unit_commits_at_the_end_of_its_block(hub: Hub) -> None:
    async with hub.unit() as unit:
        unit.session.add(Tenant(id=(tenant_id := uuid.uuid4()), name="Acme"))
    async with hub.unit() as unit:
        assert (await unit.session.get(Tenant, tenant_id)) is not None


async def test_unit_rolls_back_on_error_and_skips_after_commit(hub: Hub) -> None:
    ran: list[str] = []

    async def remember() -> None:
        ran.append("after commit")

    async def fail_inside_a_unit() -> None:
        async with hub.unit() as unit:
            unit.session.add(Tenant(id=uuid.uuid4(), name="Lost"))
            unit.after_commit(remember)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail_inside_a_unit()
    async with hub.unit() as unit:
        assert (await unit.session.execute(select(Tenant))).first() is None
    assert ran == []


async def test_after_commit_runs_once_the_unit_committed(hub: Hub) -> None:
    seen: list[bool] = []

    async def check() -> None:
        async with hub.unit() as other:
            seen.append((await other.session.execute(select(Tenant))).first() is not None)

    async with hub.unit() as unit:
        unit.session.add(Tenant(id=uuid.uuid4(), name="Acme"))
        unit.after_commit(check)
    assert seen == [True]


async def test_tenant_services_need_a_tenant(hub: Hub) -> None:
    async with hub.unit() as unit:
        with pytest.raises(AccessDenied):
            _ = unit.tenant_id
