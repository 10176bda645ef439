"""Keeping a store's webhook subscriptions alive at the store.

    await subscriptions.subscribe(tenant_id, store_id)    # a store added (or "turn on")
    await subscriptions.check(tenant_id, store_id)        # the watchdog: re-enable, re-create
    await subscriptions.unsubscribe(tenant_id, store_id)  # before a store is deleted

Calls to the store happen outside any transaction (a slow store holds no database lock); each
step reads and then writes the endpoint in short units of its own. Without `public_url` the hub
says so on the endpoint (`off`) and keeps polling on its schedule.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import httpx

from g4hub_connectors import ConnectorError
from g4hub_connectors.webhooks import Subscription, WebhookPlatform, webhook_platform
from g4hub_core.db.base import utcnow
from g4hub_core.errors import CoreError
from g4hub_core.models import Store, WebhookEndpoint
from g4hub_core.settings import HubSettings
from g4hub_core.stores.connection import open_settings
from g4hub_core.stores.service import StoreService
from g4hub_core.unit import UnitFactory
from g4hub_core.vault.vault import Vault
from g4hub_core.webhooks.repository import EndpointRepository
from g4hub_core.webhooks.secrets import new_secret, new_token, open_secret, seal_secret

__all__ = ["NO_PUBLIC_URL", "Subscriptions"]

logger = logging.getLogger("g4hub_core.webhooks")

NO_PUBLIC_URL = (
    "Real-time updates are off: the hub has no public address (set G4HUB_PUBLIC_URL). "
    "Products are kept up to date by scheduled syncs."
)
NOT_SUPPORTED = "Real-time updates are not available for this store's platform or API."
NO_SIGNING_KEY = (
    "Real-time updates need the secret the store signs them with (for a Shopify custom app, its "
    "API secret key)."
)


def _as_json(subscriptions: list[Subscription]) -> list[dict[str, Any]]:
    return [{"id": s.id, "topic": s.topic, "address": s.address} for s in subscriptions]


def _repaired(disabled: list[Subscription], removed: list[str]) -> str | None:
    """The note on a live store whose webhooks the hub had to repair, or `None`."""
    at = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    notes = []
    if disabled:
        notes.append(
            f"the store had disabled {len(disabled)} webhook(s) after failed deliveries: "
            f"re-enabled at {at}"
        )
    if removed:
        notes.append(f"the store had removed {len(removed)} webhook(s): made again at {at}")
    if not notes:
        return None
    text = "; ".join(notes)
    return text[0].upper() + text[1:] + "."


class Subscriptions:
    def __init__(
        self,
        settings: HubSettings,
        *,
        work: UnitFactory,
        vault: Vault,
        http_client: httpx.AsyncClient | None,
    ) -> None:
        self._settings = settings
        self._work = work
        self._vault = vault
        self._http_client = http_client

    def address(self, store: Store, endpoint: WebhookEndpoint) -> str | None:
        """Where the store delivers, or `None` without a public URL."""
        base = self._settings.public_url
        if not base:
            return None
        return f"{base.rstrip('/')}/webhooks/{store.platform.split('.', 1)[0]}/{endpoint.token}"

    async def ensure_endpoint(self, tenant_id: uuid.UUID, store_id: uuid.UUID) -> None:
        """Give the store its endpoint (address and, where the hub chooses it, a secret)."""
        async with self._work(tenant_id) as work:
            endpoints = EndpointRepository(work.session, tenant_id)
            if await endpoints.for_store(store_id) is not None:
                return
            store = await work.session.get(Store, store_id)
            if store is None or store.tenant_id != tenant_id:
                return
            hooks = webhook_platform(store.platform)
            endpoint = WebhookEndpoint(store_id=store_id, token=new_token(), subscriptions=[])
            if hooks is not None and hooks.own_secret(self._settings_of(store)) is None:
                endpoint.secret = seal_secret(new_secret(), self._vault, tenant_id, store_id)
            endpoint.status, endpoint.status_reason = "off", None
            endpoints.add(endpoint)

    def _settings_of(self, store: Store) -> dict[str, Any]:
        try:
            return open_settings(store, vault=self._vault)
        except Exception:
            return {}

    async def _load(
        self, tenant_id: uuid.UUID, store_id: uuid.UUID
    ) -> tuple[Store, WebhookEndpoint, WebhookPlatform | None, str | None, Any] | None:
        """The store, its endpoint, its platform's webhooks, the signing secret and a connector
        (not yet entered), read in one short unit."""
        await self.ensure_endpoint(tenant_id, store_id)
        async with self._work(tenant_id) as work:
            endpoint = await EndpointRepository(work.session, tenant_id).for_store(store_id)
            store = await work.session.get(Store, store_id)
            if endpoint is None or store is None:
                return None
            hooks = webhook_platform(store.platform)
            secret = open_secret(endpoint, self._vault)
            if hooks is not None and secret is None:
                secret = hooks.own_secret(self._settings_of(store))
            stores = StoreService(
                work, settings=self._settings, vault=self._vault, http_client=self._http_client
            )
            connector = await stores.open_connector(store_id)
            return store, endpoint, hooks, secret, connector

    async def _save(
        self,
        tenant_id: uuid.UUID,
        store_id: uuid.UUID,
        *,
        status: str,
        reason: str | None,
        subscriptions: list[Subscription] | None = None,
    ) -> None:
        async with self._work(tenant_id) as work:
            endpoint = await EndpointRepository(work.session, tenant_id).for_store(store_id)
            if endpoint is None:
                return
            endpoint.status, endpoint.status_reason = status, reason
            endpoint.checked_at = utcnow()
            if subscriptions is not None:
                endpoint.subscriptions = _as_json(subscriptions)

    async def subscribe(self, tenant_id: uuid.UUID, store_id: uuid.UUID) -> str:
        """Create the store's subscriptions (those already there for this address are kept);
        returns the status reached (`live`, `degraded` or `off`). Never raises for a store's
        refusal: the reason is on the endpoint."""
        if not self._settings.public_url:
            await self.ensure_endpoint(tenant_id, store_id)
            await self._save(tenant_id, store_id, status="off", reason=NO_PUBLIC_URL)
            return "off"
        try:
            loaded = await self._load(tenant_id, store_id)
        except CoreError as exc:
            await self._save(tenant_id, store_id, status="degraded", reason=str(exc))
            return "degraded"
        if loaded is None:
            return "off"
        store, endpoint, hooks, secret, connector = loaded
        address = self.address(store, endpoint)
        if address is None or hooks is None or secret is None:
            await connector.aclose()
            reason = NO_PUBLIC_URL if address is None else NOT_SUPPORTED
            if address is not None and hooks is not None:
                reason = NO_SIGNING_KEY
            await self._save(tenant_id, store_id, status="off", reason=reason)
            return "off"
        known = {str(item.get("topic")) for item in endpoint.subscriptions}
        try:
            async with connector:
                present = [s for s in await hooks.subscriptions(connector) if s.address == address]
                missing = [t for t in hooks.topics if t not in {s.topic for s in present}]
                made = await hooks.subscribe(connector, address, secret, missing) if missing else []
                disabled = [s for s in present if not s.active]
                for stale in disabled:
                    made.append(await hooks.reactivate(connector, stale, secret))
                kept = [s for s in present if s.active]
        except NotImplementedError:
            await self._save(tenant_id, store_id, status="off", reason=NOT_SUPPORTED)
            return "off"
        except ConnectorError as exc:
            logger.warning("store %s: subscribing to webhooks failed (%s)", store_id, exc.code)
            await self._save(tenant_id, store_id, status="degraded", reason=exc.user_message)
            return "degraded"
        # What the hub repaired stays said while the store is live (until the next repair).
        note = _repaired(disabled, [t for t in missing if t in known])
        if note is None and endpoint.status == "live":
            note = endpoint.status_reason
        await self._save(tenant_id, store_id, status="live", reason=note, subscriptions=kept + made)
        logger.info("store %s: webhooks live (%d subscriptions)", store_id, len(kept + made))
        return "live"

    async def check(self, tenant_id: uuid.UUID, store_id: uuid.UUID) -> str:
        """The watchdog's visit: what the store disabled is enabled again, what it deleted is
        created again. The same as `subscribe`, which keeps what is there."""
        return await self.subscribe(tenant_id, store_id)

    async def unsubscribe(self, tenant_id: uuid.UUID, store_id: uuid.UUID) -> None:
        """Remove the store's subscriptions at the store (best effort: a store that cannot be
        reached keeps them, and its deliveries then find no endpoint)."""
        async with self._work(tenant_id) as work:
            endpoint = await EndpointRepository(work.session, tenant_id).for_store(store_id)
            if endpoint is None or not endpoint.subscriptions:
                return
            store = await work.session.get(Store, store_id)
            if store is None:
                return
            hooks = webhook_platform(store.platform)
            ids = [str(item.get("id")) for item in endpoint.subscriptions]
            connector = await StoreService(
                work, settings=self._settings, vault=self._vault, http_client=self._http_client
            ).open_connector(store_id)
        if hooks is None:
            await connector.aclose()
            return
        try:
            async with connector:
                for subscription_id in ids:
                    await hooks.unsubscribe(connector, subscription_id)
        except (ConnectorError, NotImplementedError):
            logger.warning("store %s: removing webhook subscriptions failed", store_id)
            return
        await self._save(tenant_id, store_id, status="off", reason=None, subscriptions=[])
