"""Real time: each store's webhook inbox, applying deliveries to the catalog, and keeping the
store's subscriptions alive (`hub.webhooks`; a tenant's view in `unit.webhooks`).

    received = await hub.webhooks.receive("woocommerce", token, headers, body)   # the endpoint
    await hub.webhooks.subscribe(tenant_id, store_id)                            # a new store
    await hub.webhooks.check_all()                                               # the watchdog
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping

import httpx

from g4hub_core.settings import HubSettings
from g4hub_core.unit import UnitFactory
from g4hub_core.vault.vault import Vault
from g4hub_core.webhooks.inbox import Received, WebhookInbox
from g4hub_core.webhooks.jobs import WebhookRunner
from g4hub_core.webhooks.reconcile import reconcile_deletions
from g4hub_core.webhooks.repository import stores_to_watch
from g4hub_core.webhooks.schemas import WebhookActivity, WebhookStatusRead
from g4hub_core.webhooks.service import WebhookService
from g4hub_core.webhooks.subscriptions import Subscriptions

__all__ = [
    "Received",
    "WebhookActivity",
    "WebhookService",
    "WebhookStatusRead",
    "Webhooks",
]

logger = logging.getLogger("g4hub_core.webhooks")


class Webhooks:
    """The hub's webhook machinery, built once by the `Hub`. `nudge`: the job queue's way to
    have deliveries applied as jobs (procrastinate); without, the hub's runner applies them."""

    def __init__(
        self,
        settings: HubSettings,
        *,
        work: UnitFactory,
        vault: Vault,
        http_client: httpx.AsyncClient | None,
        nudge: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings
        self._work = work
        self._vault = vault
        self._http_client = http_client
        self.inbox = WebhookInbox(
            work, vault, serial=not settings.resolved_database_url.startswith("postgresql")
        )
        self.subscriptions = Subscriptions(
            settings, work=work, vault=vault, http_client=http_client
        )
        # Without a public URL there is nothing to watch: stores cannot reach the hub.
        self.runner = WebhookRunner(
            self.inbox,
            watch=self.check_all,
            watch_interval=settings.webhook_watchdog_seconds if settings.public_url else None,
            nudge=nudge,
        )

    async def start(self) -> None:
        await self.runner.start()

    async def stop(self) -> None:
        await self.runner.stop()

    async def receive(
        self, platform: str, token: str, headers: Mapping[str, str], body: bytes
    ) -> Received:
        """Verify and store a delivery, then wake the processor. See `WebhookInbox.receive`."""
        received = await self.inbox.receive(platform, token, headers, body)
        if received.outcome == "accepted":
            await self.runner.wake()
        return received

    async def subscribe(self, tenant_id: uuid.UUID, store_id: uuid.UUID) -> str:
        """Subscribe to the store's webhooks now; returns `live`, `degraded` or `off`."""
        return await self.subscriptions.subscribe(tenant_id, store_id)

    async def unsubscribe(self, tenant_id: uuid.UUID, store_id: uuid.UUID) -> None:
        """Remove the store's subscriptions at the store, before the store is deleted (best
        effort: never raises)."""
        try:
            await self.subscriptions.unsubscribe(tenant_id, store_id)
        except Exception:
            logger.warning(
                "store %s: removing webhook subscriptions failed", store_id, exc_info=True
            )

    async def adopt(self, tenant_id: uuid.UUID, store_id: uuid.UUID) -> None:
        """A store was added: subscribe to its webhooks when the hub has a public URL. Never
        raises (the outcome is the store's real-time status; the watchdog tries again)."""
        if not self.settings.public_url:
            return
        try:
            await self.subscriptions.subscribe(tenant_id, store_id)
        except Exception:
            logger.warning("store %s: subscribing to webhooks failed", store_id, exc_info=True)

    async def reconcile(self, tenant_id: uuid.UUID, store_id: uuid.UUID) -> int:
        """Remove the store's rows for products it no longer has (deletions no webhook
        announced), confirmed one by one; returns how many. See `webhooks.reconcile`."""
        return await reconcile_deletions(
            tenant_id,
            store_id,
            settings=self.settings,
            work=self._work,
            vault=self._vault,
            http_client=self._http_client,
        )

    async def check_all(self) -> dict[str, int]:
        """The watchdog: every store's subscriptions checked (made, re-enabled, re-created) and
        its deletions reconciled; returns how many stores ended in each status. Without a
        public URL it only records that real-time updates are off."""
        async with self._work(None) as work:
            stores = await stores_to_watch(work.session)
        reached: dict[str, int] = {}
        for tenant_id, store_id in stores:
            try:
                status = await self.subscriptions.check(tenant_id, store_id)
                await self.reconcile(tenant_id, store_id)
            except Exception:
                logger.warning("store %s: webhook check failed", store_id, exc_info=True)
                status = "degraded"
            reached[status] = reached.get(status, 0) + 1
        return reached
