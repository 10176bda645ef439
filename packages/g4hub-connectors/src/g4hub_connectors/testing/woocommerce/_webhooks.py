"""The fake WooCommerce store's webhooks: the `/wc/v3/webhooks` routes, and deliveries signed
as WooCommerce signs them, held in an outbox the test sends when it chooses (in order, reversed,
twice, tampered with), so every way real deliveries arrive can be played.

    store.webhooks.edit(product_id, name="New")    # a merchant's change: product.updated queued
    await store.webhooks.send(client)               # POST each queued delivery, count failures

As WooCommerce does: creating a webhook queues its unsigned ping (`webhook_id=N`); a delivery
answered with anything but 2xx counts as a failure, and 5 in a row set the webhook `disabled`;
`product.deleted` carries only the id; deleting for good (`delete_product`) fires nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import httpx

from g4hub_connectors.testing._asgi import Request, Response
from g4hub_connectors.testing.woocommerce._edits import apply_product, apply_variation
from g4hub_connectors.testing.woocommerce._keys import Key, can, denied
from g4hub_connectors.testing.woocommerce._render import Site, render_product, render_variation
from g4hub_connectors.testing.woocommerce._wp import currency_symbol, wp_error

if TYPE_CHECKING:
    from g4hub_connectors.testing.woocommerce.store import FakeWooCommerceStore

__all__ = ["FakeDelivery", "FakeWebhook", "WooWebhooks"]

_ONE = re.compile(r"^webhooks/(\d+)$")
_TOPICS = ("product.created", "product.updated", "product.deleted", "product.restored")
FAILURES_BEFORE_DISABLED = 5
_NO_ROUTE = "No route was found matching the URL and request method."


@dataclass
class FakeWebhook:
    id: int
    name: str
    topic: str
    delivery_url: str
    secret: str = field(repr=False)
    status: str = "active"
    failure_count: int = 0

    def render(self) -> dict[str, Any]:
        resource, _, event = self.topic.partition(".")
        return {
            "id": self.id, "name": self.name, "status": self.status, "topic": self.topic,
            "resource": resource, "event": event, "hooks": [f"woocommerce_{self.topic}"],
            "delivery_url": self.delivery_url,
        }  # fmt: skip


@dataclass
class FakeDelivery:
    webhook_id: int
    url: str
    headers: dict[str, str]
    body: bytes


class WooWebhooks:
    def __init__(self, store: FakeWooCommerceStore) -> None:
        self._store = store
        self.hooks: dict[int, FakeWebhook] = {}
        self.outbox: list[FakeDelivery] = []
        self.sent: list[tuple[FakeDelivery, int]] = []
        self._next_id = 1

    # -- routes ---------------------------------------------------------------------------------

    def route(self, request: Request, path: str, key: Key | None) -> Response:
        if not can(key, "manage_woocommerce"):
            return denied(key, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        path = path.strip("/")
        if path == "webhooks" and request.method == "GET":
            return Response.json([hook.render() for hook in self.hooks.values()])
        if path == "webhooks" and request.method == "POST":
            return self._create(request.json() or {})
        match = _ONE.match(path)
        hook = self.hooks.get(int(match.group(1))) if match else None
        if hook is None:
            return wp_error("woocommerce_rest_webhook_invalid_id", "Invalid ID.", 404)
        if request.method == "GET":
            return Response.json(hook.render())
        if request.method in ("PUT", "PATCH", "POST"):
            body = request.json() or {}
            if body.get("status") in ("active", "paused", "disabled"):
                hook.status = body["status"]
                if hook.status == "active":
                    hook.failure_count = 0
            if body.get("secret"):
                hook.secret = str(body["secret"])
            return Response.json(hook.render())
        if request.method == "DELETE":
            del self.hooks[hook.id]
            return Response.json(hook.render())
        return wp_error(
            "rest_no_route", "No route was found matching the URL and request method.", 404
        )

    def _create(self, body: dict[str, Any]) -> Response:
        topic, url = body.get("topic"), body.get("delivery_url")
        if topic not in _TOPICS or not isinstance(url, str) or not url:
            return wp_error("rest_invalid_param", "Invalid parameter(s): topic", 400)
        hook = FakeWebhook(
            id=self._next_id, name=str(body.get("name") or topic), topic=topic,
            delivery_url=url, secret=str(body.get("secret") or ""),
            status=str(body.get("status") or "active"),
        )  # fmt: skip
        self._next_id += 1
        self.hooks[hook.id] = hook
        # WooCommerce pings the address, unsigned, before it answers.
        self.outbox.append(FakeDelivery(hook.id, url, _FORM, f"webhook_id={hook.id}".encode()))
        return Response.json(hook.render(), 201)

    # -- changes a merchant makes, and what they fire --------------------------------------------

    def _site(self) -> Site:
        store = self._store
        home = f"{store.url}{store.site_path}"
        return Site(home, f"{home}/wp-json", currency_symbol(store.currency), store.utc_offset)

    def product_json(self, product_id: str) -> dict[str, Any]:
        index = self._store.catalog.index_of(int(product_id))
        if index is None:
            raise KeyError(product_id)
        return render_product(self._store.catalog.get(index), self._site())

    def edit(self, product_id: str, **fields: Any) -> None:
        """Change a product in the admin (`name`, `regular_price`, `stock_quantity`, ... as the
        REST API takes them): `product.updated` fires."""
        index = self._store.catalog.index_of(int(product_id))
        if index is None:
            raise KeyError(product_id)
        now = datetime.fromtimestamp(self._store.now(), UTC)
        self._store.catalog.edit(index, partial(apply_product, body=fields), now)
        self.emit("product.updated", product_id)

    def edit_variation(self, product_id: str, variation_id: str, **fields: Any) -> None:
        """Change a variation (`stock_quantity`, `regular_price`, ... as the REST API takes
        them) in the admin's variation panel, or by an order: `product.updated` fires with the
        variation's own JSON (`type: "variation"`, `parent_id`), as WooCommerce builds the
        payload from `GET /products/{variation id}`; the parent's `date_modified` stays."""
        catalog = self._store.catalog
        index = catalog.index_of(int(product_id))
        if index is None:
            raise KeyError(product_id)
        now = datetime.fromtimestamp(self._store.now(), UTC)
        record = catalog.edit_variation(
            index, int(variation_id), partial(apply_variation, body=fields), now
        )
        variant = catalog.variation(record, int(variation_id))
        assert variant is not None
        data = render_variation(record, variant, int(variation_id), self._site())
        self._queue("product.updated", data)

    def trash(self, product_id: str) -> None:
        """Move a product to the trash in the admin: `product.deleted` fires (id only)."""
        self._store.trash_product(product_id)
        self.emit("product.deleted", product_id)

    def emit(self, topic: str, product_id: str) -> list[FakeDelivery]:
        """Queue a delivery of `topic` about the product to every active webhook of that topic."""
        if topic == "product.deleted":
            return self._queue(topic, {"id": int(product_id)})
        return self._queue(topic, None, product_id)

    def _queue(
        self, topic: str, data: dict[str, Any] | None, product_id: str = ""
    ) -> list[FakeDelivery]:
        queued: list[FakeDelivery] = []
        for hook in self.hooks.values():
            if hook.topic != topic or hook.status != "active":
                continue
            payload = data if data is not None else self.product_json(product_id)
            body = json.dumps(payload, separators=(",", ":")).encode()
            queued.append(FakeDelivery(hook.id, hook.delivery_url, self._headers(hook, body), body))
        self.outbox += queued
        return queued

    def _headers(self, hook: FakeWebhook, body: bytes) -> dict[str, str]:
        digest = hmac.new(hook.secret.encode(), body, hashlib.sha256).digest()
        resource, _, event = hook.topic.partition(".")
        return {
            "content-type": "application/json",
            "x-wc-webhook-source": f"{self._store.url}{self._store.site_path}/",
            "x-wc-webhook-topic": hook.topic,
            "x-wc-webhook-resource": resource,
            "x-wc-webhook-event": event,
            "x-wc-webhook-signature": base64.b64encode(digest).decode(),
            "x-wc-webhook-id": str(hook.id),
            "x-wc-webhook-delivery-id": uuid.uuid4().hex,
        }

    async def send(
        self, client: httpx.AsyncClient, deliveries: list[FakeDelivery] | None = None
    ) -> list[int]:
        """POST `deliveries` (default: the whole outbox, which is emptied) in the order given;
        returns the status of each. A failure counts against its webhook, as WooCommerce
        counts them."""
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
            self.sent.append((delivery, status))
            hook = self.hooks.get(delivery.webhook_id)
            if hook is None or delivery.headers is _FORM:
                continue
            if 200 <= status < 300:
                hook.failure_count = 0
            else:
                hook.failure_count += 1
                if hook.failure_count >= FAILURES_BEFORE_DISABLED:
                    hook.status = "disabled"
        return statuses


_FORM = {"content-type": "application/x-www-form-urlencoded"}
