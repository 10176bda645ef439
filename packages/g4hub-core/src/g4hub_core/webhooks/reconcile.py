"""Reconciliation: what webhooks miss. WooCommerce fires nothing for force deletes, batch
deletes and deleted variations, and neither platform promises every delivery; so the watchdog
also lists each store's product ids (ids only, the cheapest listing) and removes the rows the
store no longer has.

A listing may skip an id that moved between pages while it ran, so every row it did not see is
confirmed gone by reading it before it is removed; rows written after the listing began (a
webhook's new product) are never candidates.
"""

from __future__ import annotations

import logging
import uuid

import httpx
from sqlalchemy import delete, select, update

from g4hub_connectors import ConnectorError
from g4hub_connectors.webhooks import webhook_platform
from g4hub_core.changes.repository import ChangeEntry, record_changes
from g4hub_core.db.base import utcnow
from g4hub_core.errors import CoreError
from g4hub_core.models import Store, StoreProduct
from g4hub_core.settings import HubSettings
from g4hub_core.stores.service import StoreService
from g4hub_core.unit import UnitFactory
from g4hub_core.vault.vault import Vault

__all__ = ["MAX_CONFIRMATIONS", "reconcile_deletions"]

logger = logging.getLogger("g4hub_core.webhooks")

MAX_CONFIRMATIONS = 200
"""Rows confirmed (one read each) per visit; more wait for the next visit or a full sync."""


async def reconcile_deletions(
    tenant_id: uuid.UUID,
    store_id: uuid.UUID,
    *,
    settings: HubSettings,
    work: UnitFactory,
    vault: Vault,
    http_client: httpx.AsyncClient | None,
) -> int:
    """Remove the store's rows for products it no longer has; returns how many. Never raises
    for a store's refusal (nothing is removed then)."""
    started = utcnow()
    async with work(tenant_id) as unit:
        store = await unit.session.get(Store, store_id)
        if store is None or store.tenant_id != tenant_id:
            return 0
        hooks = webhook_platform(store.platform)
        if hooks is None:
            return 0
        held = set(
            await unit.session.scalars(
                select(StoreProduct.platform_product_id).where(
                    StoreProduct.tenant_id == tenant_id,
                    StoreProduct.store_id == store_id,
                    StoreProduct.last_updated < started,
                )
            )
        )
        if not held:
            return 0
        try:
            connector = await StoreService(
                unit, settings=settings, vault=vault, http_client=http_client
            ).open_connector(store_id)
        except CoreError:
            return 0
    try:
        async with connector:
            unseen = sorted(held - await hooks.product_ids(connector))[:MAX_CONFIRMATIONS]
            gone = await hooks.gone(connector, unseen) if unseen else set()
    except (ConnectorError, NotImplementedError) as exc:
        logger.info("store %s: reconciliation skipped (%s)", store_id, type(exc).__name__)
        return 0
    if not gone:
        return 0
    async with work(tenant_id) as unit:
        result = await unit.session.execute(
            delete(StoreProduct)
            .where(
                StoreProduct.tenant_id == tenant_id,
                StoreProduct.store_id == store_id,
                StoreProduct.platform_product_id.in_(sorted(gone)),
                StoreProduct.last_updated < started,
            )
            .returning(StoreProduct.platform_product_id)
            .execution_options(synchronize_session=False)
        )
        removed = list(result.scalars())
        await record_changes(
            unit.session,
            tenant_id,
            store_id,
            [ChangeEntry(product_id, "deleted") for product_id in removed],
            source="reconcile",
        )
        await unit.session.execute(
            update(Store)
            .where(Store.id == store_id)
            .values(products_synced=Store.products_synced - len(removed))
        )
    logger.info("store %s: %d products removed by reconciliation", store_id, len(removed))
    return len(removed)
