"""The fake Shopify store's webhooks: REST `webhooks.json` subscriptions, and deliveries signed
with the app's client secret as Shopify signs them, held in an outbox the test sends when it
chooses (reordered, repeated as Shopify's retries are, tampered with).

    store.webhooks.edit(product_id, title="New")   # products/update queued
    await store.webhooks.send(client)              # POST each queued delivery

As Shopify does: every delivery of one event carries the same `X-Shopify-Event-Id` (a retry is
the same event), `X-Shopify-Triggered-At` says when it happened; `products/delete` carries only
the id; a subscription whose deliveries keep failing is deleted (`failures_before_removal`,
far fewer here than Shopify's 48 hours of retries).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from g4hub_connectors.config import DEFAULT_SHOPIFY_API_VERSION
from g4hub_connectors.testing._asgi import Request, Response
from g4hub_connectors.testing.shopify._catalog import product_index, render_product

if TYPE_CHECKING:
    from g4hub_connectors.testing.shopify.store import FakeShopifyStore

__all__ = ["FakeShopifyDelivery", "FakeSubscription", "ShopifyWebhooksFake"]

_TOPICS = ("products/create", "products/update", "products/delete", "inventory_levels/update")


@dataclass
class FakeSubscription:
    id: int
    topic: str
    address: str
    failures: int = 0

    def render(self) -> dict[str, Any]:
        return {"id": self.id, "topic": self.topic, "address": self.address, "format": "json"}


@dataclass
class FakeShopifyDelivery:
    subscription_id: int
    url: str
    headers: dict[str, str]
    body: bytes


class ShopifyWebhooksFake:
    def __init__(self, store: FakeShopifyStore) -> None:
        self._store = store
        self.subscriptions: dict[int, FakeSubscription] = {}
        self.outbox: list[FakeShopifyDelivery] = []
        self.failures_before_removal = 5
        self._ids = itertools.count(1_100_000_001)
        self._last = datetime.min.replace(tzinfo=UTC)

    # -- routes (after the store's token and version checks) -------------------------------------

    def route(self, request: Request, parts: list[str]) -> Response:
        if len(parts) == 1 and request.method == "GET":
            found = [s.render() for s in self.subscriptions.values()]
            return Response.json({"webhooks": found})
        if len(parts) == 1 and request.method == "POST":
            body = (request.json() or {}).get("webhook") or {}
            topic, address = body.get("topic"), body.get("address")
            if topic not in _TOPICS:
                return Response.json({"errors": {"topic": ["Invalid topic specified."]}}, 422)
            if any(s.topic == topic and s.address == address for s in self.subscriptions.values()):
                taken = {"address": ["for this topic has already been taken"]}
                return Response.json({"errors": taken}, 422)
            subscription = FakeSubscription(next(self._ids), topic, str(address))
            self.subscriptions[subscription.id] = subscription
            return Response.json({"webhook": subscription.render()}, 201)
        if len(parts) == 2 and parts[1].isdigit():
            found_one = self.subscriptions.get(int(parts[1]))
            if found_one is None:
                return Response.json({"errors": "Not Found"}, 404)
            if request.method == "DELETE":
                del self.subscriptions[found_one.id]
                return Response.json({})
            if request.method == "GET":
                return Response.json({"webhook": found_one.render()})
        return Response.json({"errors": "Not Found"}, 404)

    # -- changes a merchant makes, and what they fire --------------------------------------------

    def edit(self, product_id: str, *, title: str) -> None:
        """Rename a product in the admin: `products/update` fires."""
        index = product_index(product_id)
        if not self._store.catalog.exists(index):
            raise KeyError(product_id)
        assert index is not None
        self._store.catalog.writable(index).seed.name = title
        self._store.catalog.touch(index)
        self.emit("products/update", product_id)

    def delete(self, product_id: str) -> None:
        """Delete a product in the admin: `products/delete` fires (id only)."""
        self._store.delete_product(product_id)
        self.emit("products/delete", product_id)

    def emit(self, topic: str, product_id: str) -> list[FakeShopifyDelivery]:
        """Queue one event about the product to every subscription of `topic`."""
        if topic == "products/delete":
            data: dict[str, Any] = {"id": int(product_id)}
        else:
            index = product_index(product_id)
            assert index is not None
            data = render_product(self._store.catalog.state(index), self._store.url)
        body = json.dumps(data, separators=(",", ":")).encode()
        event_id = str(uuid.uuid4())
        # Shopify sends nanoseconds: two events are never at the same instant.
        now = max(datetime.now(UTC), self._last + timedelta(microseconds=1))
        self._last = now
        triggered = now.isoformat(timespec="microseconds").replace("+00:00", "Z")
        queued = [
            FakeShopifyDelivery(s.id, s.address, self._headers(s, body, event_id, triggered), body)
            for s in self.subscriptions.values()
            if s.topic == topic
        ]
        self.outbox += queued
        return queued

    def _headers(
        self, subscription: FakeSubscription, body: bytes, event_id: str, triggered: str
    ) -> dict[str, str]:
        secret = self._store.client_secret.encode()
        digest = hmac.new(secret, body, hashlib.sha256).digest()
        return {
            "content-type": "application/json",
            "x-shopify-topic": subscription.topic,
            "x-shopify-hmac-sha256": base64.b64encode(digest).decode(),
            "x-shopify-shop-domain": self._store.url.split("://", 1)[-1],
            "x-shopify-api-version": DEFAULT_SHOPIFY_API_VERSION,
            "x-shopify-webhook-id": str(uuid.uuid4()),
            "x-shopify-event-id": event_id,
            "x-shopify-triggered-at": triggered,
        }

    async def send(
        self, client: httpx.AsyncClient, deliveries: list[FakeShopifyDelivery] | None = None
    ) -> list[int]:
        """POST `deliveries` (default: the whole outbox, emptied) in the order given; returns
        each status. A subscription failing `failures_before_removal` times in a row is deleted,
        as Shopify deletes one."""
        if deliveries is None:
            deliveries, self.outbox = self.outbox, []
        statuses: list[int] = []
        for delivery in deliveries:
            try:
                response = await client.post(
                    delivery.url, content=delivery.body, headers=delivery.headers
                )
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            statuses.append(status)
            subscription = self.subscriptions.get(delivery.subscription_id)
            if subscription is None:
                continue
            if 200 <= status < 300:
                subscription.failures = 0
            else:
                subscription.failures += 1
                if subscription.failures >= self.failures_before_removal:
                    del self.subscriptions[subscription.id]
        return statuses
