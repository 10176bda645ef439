"""Building the hub from settings, and the unit of work."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from g4hub_core import AccessDenied, Hub, HubSettings
from g4hub_core.catalog.service import CatalogService
from g4hub_core.dashboard.service import DashboardService
from g4hub_core.models import Tenant
from g4hub_core.sync.jobs import JobRuntime, SyncJob
from g4hub_core.sync.runner import DatabaseQueue
from g4hub_core.sync.service import SyncService
from g4hub_core.tenants.service import AccountService
from g4hub_core.unit import UnitOfWork


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


async def test_services_work_in_a_bare_unit_of_work_without_a_hub(hub: Hub) -> None:
    async with hub.unit() as unit:
        registration = await unit.accounts.register(
            email="owner@example.com", password="a-long-enough-password", tenant_name="Acme"
        )
    tenant_id = registration.tenant.id
    async with UnitOfWork(hub.sessionmaker, tenant_id) as work:
        assert (await DashboardService(work).overview()).total_stores == 0
        assert await SyncService(work, settings=hub.settings, enqueue=_never).logs() == []
        assert (await AccountService(work).get_tenant(tenant_id)).name == "Acme"


async def _never(job: SyncJob) -> None:
    raise AssertionError("nothing is queued")


async def test_a_unit_of_work_without_a_tenant_refuses_tenant_services(hub: Hub) -> None:
    async with UnitOfWork(hub.sessionmaker) as work:
        assert not work.has_tenant
        with pytest.raises(AccessDenied):
            CatalogService(work)


async def test_the_job_queue_is_built_from_the_hubs_runtime_and_fixed(
    settings: HubSettings,
) -> None:
    built: list[JobRuntime] = []

    def factory(runtime: JobRuntime) -> DatabaseQueue:
        built.append(runtime)
        return DatabaseQueue()

    hub = Hub(settings, jobs=factory)
    try:
        (runtime,) = built
        assert isinstance(hub.jobs, DatabaseQueue)
        assert runtime.settings is hub.settings
        assert runtime.run == hub.sync_engine.run
        with pytest.raises(AttributeError):
            hub.jobs = DatabaseQueue()  # type: ignore[misc]  # chosen once, when built
        async with runtime.unit() as work:
            assert not work.has_tenant
        assert await runtime.queue_due() == 0
    finally:
        await hub.close()


async def test_a_ready_job_queue_is_taken_as_it_is(settings: HubSettings) -> None:
    queue = DatabaseQueue()
    hub = Hub(settings, jobs=queue)
    try:
        assert hub.jobs is queue
    finally:
        await hub.close()
