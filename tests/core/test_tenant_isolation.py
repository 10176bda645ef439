"""Tenant isolation: with a second tenant, every repository and every tenant service method sees
nothing of the first tenant and can change nothing of it.

The lists of methods below are checked against the services themselves, so a new public method
fails this test until it is added here.
"""

from __future__ import annotations

import importlib
import inspect
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub, NotFound, Unit
from g4hub_core.catalog.ingest import CatalogWriter
from g4hub_core.catalog.service import CatalogService
from g4hub_core.changes import ChangeFeed, ChangePage
from g4hub_core.dashboard.service import DashboardService
from g4hub_core.models import (
    ProductChange,
    Store,
    StoreProduct,
    SyncLog,
    SyncRule,
    SyncRuleRun,
    User,
    WebhookEndpoint,
    WriteAudit,
    WriteJob,
)
from g4hub_core.repository import TenantRepository
from g4hub_core.rules import PlannedChange, RuleCreate, RuleService
from g4hub_core.rules.running import PlannedWrite
from g4hub_core.skus import ConflictReport, SkuPage, SkuService
from g4hub_core.stores.schemas import StoreUpdate
from g4hub_core.stores.service import StoreService
from g4hub_core.sync.jobs import SyncJob
from g4hub_core.sync.repository import SyncedStoreRepository, SyncLogRepository
from g4hub_core.sync.service import SyncService
from g4hub_core.webhooks import WebhookService
from g4hub_core.writes import (
    AuditPage,
    AuditTrail,
    BulkItem,
    BulkWrites,
    WriteService,
)
from g4hub_core.writes import (
    ProductChange as Change,
)

REPOSITORY_MODULES = [
    "g4hub_core.tenants.repository",
    "g4hub_core.stores.repository",
    "g4hub_core.catalog.repository",
    "g4hub_core.catalog.ingest",
    "g4hub_core.sync.repository",
    "g4hub_core.dashboard.repository",
    "g4hub_core.webhooks.repository",
    "g4hub_core.changes.repository",
    "g4hub_core.writes.repository",
    "g4hub_core.writes.service",
    "g4hub_core.rules.service",
]


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def tenant_repositories() -> list[type[TenantRepository[Any]]]:
    for module in REPOSITORY_MODULES:
        importlib.import_module(module)
    return sorted(_all_subclasses(TenantRepository), key=lambda cls: cls.__qualname__)


class World:
    """Tenant A with a synced store; tenant B with nothing."""

    a: uuid.UUID
    b: uuid.UUID
    store_id: uuid.UUID
    log_id: uuid.UUID
    product_id: str
    rows: dict[type, uuid.UUID | int]


@pytest.fixture
async def world(hub: Hub) -> World:
    fake = FakeWooCommerceStore(products=30)
    world = World()
    with fake.serve():
        async with hub.unit() as unit:
            world.a = (
                await unit.accounts.register(
                    email="a@example.com", password="first-tenant-pw", tenant_name="A"
                )
            ).tenant.id
            world.b = (
                await unit.accounts.register(
                    email="b@example.com", password="second-tenant-pw", tenant_name="B"
                )
            ).tenant.id
        async with hub.unit(world.a) as unit:
            from g4hub_core.stores.schemas import StoreCreate

            store = await unit.stores.create(StoreCreate(name="A shop", **fake.credentials()))
            log = await unit.sync.request(store.id, trigger="initial")
        assert (await hub.wait_for_sync(world.a, log.id)).status == "succeeded"
    world.store_id, world.log_id = store.id, log.id
    world.product_id = fake.product_ids()[0]
    async with hub.unit(world.a) as unit:
        session = unit.session
        world.rows = {
            Store: store.id,
            SyncLog: log.id,
            StoreProduct: await session.scalar(select(func.min(StoreProduct.id))),
            User: await session.scalar(select(User.id).where(User.tenant_id == world.a)),
            ProductChange: await session.scalar(select(func.min(ProductChange.id))),
        }
    await hub.webhooks.subscriptions.ensure_endpoint(world.a, store.id)
    async with hub.unit(world.a) as unit:
        world.rows[WebhookEndpoint] = await unit.session.scalar(select(WebhookEndpoint.id))
        audit = WriteAudit(
            tenant_id=world.a, store_id=store.id, product_id="1", field="price", result="applied"
        )
        job = WriteJob(tenant_id=world.a, store_id=store.id, items=[], results=[])
        rule = SyncRule(tenant_id=world.a, name="r", source_store_id=store.id)
        unit.session.add_all([audit, job, rule])
        await unit.session.flush()
        world.rows[WriteAudit], world.rows[WriteJob] = audit.id, job.id
        world.rows[SyncRule] = rule.id
        run = SyncRuleRun(tenant_id=world.a, rule_id=rule.id, trigger="manual")
        unit.session.add(run)
        await unit.session.flush()
        world.rows[SyncRuleRun] = run.id
    return world


async def test_every_repository_hides_the_other_tenants_rows(hub: Hub, world: World) -> None:
    repositories = tenant_repositories()
    assert len(repositories) >= 5
    for repository_class in repositories:
        model = repository_class.model
        async with hub.unit(world.b) as unit:
            as_b = repository_class(unit.session, world.b)
            seen = (await unit.session.scalars(as_b.statement())).all()
            assert {row.tenant_id for row in seen} <= {world.b}, repository_class
            assert await as_b.get(world.rows[model]) is None, repository_class  # type: ignore[arg-type]
            with pytest.raises(NotFound):
                await as_b.get_or_raise(world.rows[model])  # type: ignore[arg-type]
        async with hub.unit(world.a) as unit:
            as_a = repository_class(unit.session, world.a)
            assert (await unit.session.scalars(as_a.statement())).first() is not None


def _calls(world: World) -> dict[type, dict[str, Callable[[Unit], Awaitable[Any]]]]:
    """Every public method of every tenant service, called by tenant B on tenant A's ids."""
    store, log, product = world.store_id, world.log_id, world.product_id
    return {
        StoreService: {
            "list": lambda u: u.stores.list(),
            "get": lambda u: u.stores.get(store),
            "check": None,  # type: ignore[dict-item]  # takes credentials, no stored id
            "create": None,  # type: ignore[dict-item]  # makes B's own store
            "update": lambda u: u.stores.update(store, StoreUpdate(name="taken over")),
            "delete": lambda u: u.stores.delete(store),
            "test": lambda u: u.stores.test(store),
            "open_connector": lambda u: u.stores.open_connector(store),
            "api_of": lambda u: u.stores.api_of(store),
        },
        CatalogService: {
            "list_products": lambda u: u.catalog.list_products(store),
            "get_product": lambda u: u.catalog.get_product(store, product),
        },
        SyncService: {
            "request": lambda u: u.sync.request(store),
            "get": lambda u: u.sync.get(log),
            "active": lambda u: u.sync.active(store),
            "history": lambda u: u.sync.history(store),
            "logs": lambda u: u.sync.logs(store_id=store),
        },
        WebhookService: {
            "status": lambda u: u.webhooks.status(store),
            "set_signing_secret": lambda u: u.webhooks.set_signing_secret(store, "x" * 16),
        },
        ChangeFeed: {
            "page": lambda u: u.changes.page(),
        },
        WriteService: {
            "update": lambda u: u.writes.update(store, product, Change(price=Decimal("1"))),
            "open_connector": lambda u: u.writes.open_connector(store),
        },
        BulkWrites: {
            "request": lambda u: u.bulk_writes.request(
                store, [BulkItem(product_id=product, stock_quantity=0)]
            ),
            "get": lambda u: u.bulk_writes.get(world.rows.get(WriteJob, log)),  # type: ignore[arg-type]
        },
        AuditTrail: {
            "page": lambda u: u.audit.page(store_id=store),
            "titles": lambda u: u.audit.titles([(store, product, None)]),
        },
        RuleService: {
            "create": lambda u: u.rules.create(
                RuleCreate(name="r", source_store_id=store, target_store_ids=[uuid.uuid4()])
            ),
            "all": lambda u: u.rules.all(),
            "set_enabled": lambda u: u.rules.set_enabled(world.rows.get(SyncRule, log), True),  # type: ignore[arg-type]
            "dry_run": lambda u: u.rules.dry_run(world.rows.get(SyncRule, log)),  # type: ignore[arg-type]
            "run": lambda u: u.rules.run(world.rows.get(SyncRule, log)),  # type: ignore[arg-type]
            "get": lambda u: u.rules.get(world.rows.get(SyncRule, log)),  # type: ignore[arg-type]
            "delete": lambda u: u.rules.delete(world.rows.get(SyncRule, log)),  # type: ignore[arg-type]
            "runs": lambda u: u.rules.runs(world.rows.get(SyncRule, log)),  # type: ignore[arg-type]
            "planned_writes": lambda u: u.rules.planned_writes(world.rows.get(SyncRule, log)),  # type: ignore[arg-type]
            "open_connector": lambda u: u.rules.open_connector(store),
            "write": lambda u: _refused_write(u, world),
            "record": lambda u: u.rules.record(world.rows.get(SyncRule, log), [], trigger="manual"),  # type: ignore[arg-type]
        },
        SkuService: {
            "page": lambda u: u.skus.page(store_id=store),
            "conflicts": lambda u: u.skus.conflicts(),
        },
        DashboardService: {
            "overview": lambda u: u.dashboard.overview(),
            "recent_activity": lambda u: u.dashboard.recent_activity(),
            "health": lambda u: u.dashboard.health(store),
            "trend": lambda u: u.dashboard.trend(),
            "with_health": None,  # type: ignore[dict-item]  # decorates the caller's own stores
        },
    }


async def _refused_write(unit: Unit, world: World) -> None:
    """A rule's write to another tenant's product ends as failed, `not_found`, and writes
    nothing (the isolation test then finds A's rows as they were)."""
    planned = PlannedWrite(
        store_id=world.store_id,
        product_id=world.product_id,
        variant_id=None,
        changes=(
            PlannedChange(
                sku="S", store_id=world.store_id, product_id=world.product_id, old=1, new=0
            ),
        ),
    )
    result = await unit.rules.write(planned, world.rows.get(SyncRule, world.log_id))  # type: ignore[arg-type]
    assert (result["status"], result["error_code"]) == ("failed", "not_found")


def _public_methods(cls: type) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }


def test_the_isolation_test_covers_every_service_method() -> None:
    world = World()
    world.store_id = world.log_id = uuid.uuid4()
    world.product_id = "1"
    for service, calls in _calls(world).items():
        assert _public_methods(service) == set(calls), service.__name__


def _is_empty(answer: Any) -> bool:
    if answer is None or answer == [] or answer == {}:
        return True
    if isinstance(answer, (ChangePage, AuditPage, SkuPage)):
        return answer.items == []
    if isinstance(answer, ConflictReport):
        return answer.skus == answer.products_without_sku == 0
    if hasattr(answer, "total_stores"):  # the overview
        return answer.total_stores == 0 and answer.products_synced == 0 and not answer.stores
    return False


async def test_the_second_tenant_sees_and_changes_nothing(hub: Hub, world: World) -> None:
    for service, calls in _calls(world).items():
        for name, call in calls.items():
            if call is None:
                continue
            try:
                async with hub.unit(world.b) as unit:
                    answer = await call(unit)
            except NotFound:
                continue
            assert _is_empty(answer), f"{service.__name__}.{name} showed {answer!r}"

    async with hub.unit(world.a) as unit:
        store = await unit.stores.get(world.store_id)
        products = await unit.catalog.list_products(world.store_id)
        logs = await unit.sync.history(world.store_id)
        titles = await unit.audit.titles([(world.store_id, world.product_id, None)])
    assert store.name == "A shop"
    assert products.total == 30
    assert titles[(world.store_id, world.product_id, None)]  # A's own product is named
    assert [log.id for log in logs] == [world.log_id]


async def test_a_sync_job_naming_another_tenants_store_changes_nothing(
    hub: Hub, world: World
) -> None:
    """The engine and the ingest write through the job's tenant: a job of tenant B carrying
    tenant A's store and log (a forged or corrupted job) finds nothing to run or write."""
    async with hub.unit(world.a) as unit:
        log = await unit.sync.request(world.store_id)
    await hub.wait_for_sync(world.a, log.id)

    forged = SyncJob(tenant_id=world.b, store_id=world.store_id, log_id=world.log_id)
    await hub.sync_engine.run(forged)

    async with hub.unit(world.b) as unit:
        logs = SyncLogRepository(unit.session, world.b)
        assert not await logs.transition(world.log_id, world.store_id, status="queued")
        await SyncedStoreRepository(unit.session, world.b).record(world.store_id, name="taken")
        writer = CatalogWriter(unit.session, world.b)
        assert await writer.count(world.store_id) == 0
        assert await writer.remove_unseen(world.store_id, uuid.uuid4()) == 0
    async with hub.unit(world.a) as unit:
        store = await unit.stores.get(world.store_id)
        first = await unit.sync.get(world.log_id)
        products = await unit.catalog.list_products(world.store_id)
    assert (store.name, store.products_synced) == ("A shop", 30)
    assert first.status == "succeeded"
    assert products.total == 30
