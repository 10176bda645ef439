"""`WebhookService`: a tenant's view of its stores' webhooks (`unit.webhooks`)."""

from __future__ import annotations

import uuid
from functools import cached_property

from g4hub_core.dashboard.realtime import realtime_status
from g4hub_core.errors import InvalidInput
from g4hub_core.models import WebhookEndpoint
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.unit import UnitOfWork
from g4hub_core.vault.vault import Vault
from g4hub_core.webhooks.repository import EndpointRepository, activity
from g4hub_core.webhooks.schemas import WebhookActivity, WebhookStatusRead
from g4hub_core.webhooks.secrets import new_token, seal_secret

__all__ = ["WebhookService"]


class WebhookService:
    def __init__(self, unit: UnitOfWork, *, vault: Vault, public_url: str | None) -> None:
        self.unit = unit
        self._vault = vault
        self._public_url = public_url

    @cached_property
    def endpoints(self) -> EndpointRepository:
        return EndpointRepository(self.unit.session, self.unit.tenant_id)

    async def status(self, store_id: uuid.UUID) -> WebhookStatusRead:
        """The store's real-time status (`NotFound` for a store the tenant does not have)."""
        store = await StoreRepository(self.unit.session, self.unit.tenant_id).get_or_raise(store_id)
        endpoint = await self.endpoints.for_store(store_id)
        realtime = realtime_status(
            (endpoint.status, endpoint.status_reason, endpoint.checked_at) if endpoint else None,
            public_url=self._public_url,
            sync_interval_minutes=store.sync_interval_minutes,
        )
        if endpoint is None:
            return WebhookStatusRead(
                status=realtime.status, reason=realtime.reason, subscriptions=[],
                checked_at=None, last_delivery_at=None, activity=WebhookActivity(),
            )  # fmt: skip
        counts, last = await activity(self.unit.session, store_id)
        return WebhookStatusRead(
            status=realtime.status,
            reason=realtime.reason,
            subscriptions=[str(item.get("topic")) for item in endpoint.subscriptions],
            checked_at=endpoint.checked_at,
            last_delivery_at=last,
            activity=WebhookActivity(
                deliveries_received=sum(counts.values()),
                deliveries_duplicate=endpoint.deliveries_duplicate,
                deliveries_stale=counts.get("stale", 0),
                deliveries_pending=counts.get("pending", 0),
                deliveries_failed=counts.get("failed", 0),
                products_upserted=counts.get("upserted", 0),
                products_deleted=counts.get("deleted", 0),
            ),
        )

    async def set_signing_secret(self, store_id: uuid.UUID, secret: str) -> None:
        """Use `secret` to verify the store's deliveries (a Shopify custom app's API secret
        key, which its access token is not). Sealed; never read back."""
        if len(secret.strip()) < 8:
            raise InvalidInput("The signing secret is too short.", code="invalid_secret")
        await StoreRepository(self.unit.session, self.unit.tenant_id).get_or_raise(store_id)
        endpoint = await self.endpoints.for_store(store_id)
        if endpoint is None:
            endpoint = self.endpoints.add(
                WebhookEndpoint(
                    store_id=store_id, token=new_token(), subscriptions=[], status="off"
                )
            )
        endpoint.secret = seal_secret(secret.strip(), self._vault, self.unit.tenant_id, store_id)
        await self.unit.session.flush()
