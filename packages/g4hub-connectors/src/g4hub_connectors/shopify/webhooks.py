"""Shopify webhooks (PLATFORMS.md, "Facts checked in 2026-12").

- Signed with the app's client secret: `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(body)).
  An admin-created custom app's `shpat_` token is not that secret, so such a store needs the
  app's API secret key given to the hub separately (`own_secret` is then `None`).
- Retried 8 times over 4 hours, not ordered, may repeat: `X-Shopify-Event-Id` names the change
  (the same on every retry), `X-Shopify-Triggered-At` says when it happened.
- `products/create|update` carry the product as REST `products/{id}.json` has it (whichever API
  the app uses), `products/delete` only `{"id": N}`; `inventory_levels/update` names an inventory
  item, not a product: the hub cannot place it without a read, so it is ignored here (the
  product's own `products/update` follows a stock change).
- A subscription failing repeatedly is deleted by Shopify: `reactivate` creates it again.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from g4hub_connectors.errors import NotFoundError
from g4hub_connectors.shopify.http import TOKEN_HEADER
from g4hub_connectors.shopify.mapping import map_product
from g4hub_connectors.shopify.payloads import product_adapter
from g4hub_connectors.webhooks import (
    Subscription,
    WebhookEvent,
    header,
    hmac_sha256_base64,
    signature_matches,
)

__all__ = ["WEBHOOKS", "ShopifyWebhooks"]

SIGNATURE = "X-Shopify-Hmac-Sha256"
_NANOS = re.compile(r"(\.\d{6})\d+")
_UPSERT_TOPICS = frozenset({"products/create", "products/update"})


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    # Shopify sends nanoseconds ("2026-12-03T10:00:27.877041743Z"); datetime keeps micro.
    text = _NANOS.sub(r"\1", value.strip()).replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _subscription(data: Mapping[str, Any]) -> Subscription:
    return Subscription(
        id=str(data.get("id")),
        topic=str(data.get("topic") or ""),
        address=str(data.get("address") or ""),
    )


class _Rest:
    """REST Admin API calls with the connector's own token: its REST client's, or, for a
    connector on the GraphQL Admin API, the same token on the REST paths of the same version
    (`webhooks.json` serves apps of either kind)."""

    def __init__(self, connector: Any) -> None:
        client: Any = getattr(connector, "client", None)
        self._client: Any = client
        self._rest = hasattr(client, "call") and hasattr(client, "url")
        if not self._rest and not (hasattr(client, "auth") and hasattr(client, "shop_config")):
            raise NotImplementedError("this connector cannot reach the Shopify Admin API")

    def url(self, path: str) -> str:
        if self._rest:
            return str(self._client.url(path))
        config = self._client.shop_config
        return f"{config.store_url}/admin/api/{config.api_version}/{path}"

    async def call(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        idempotent: bool | None = None,
    ) -> tuple[Any, Any]:
        if self._rest:
            result: tuple[Any, Any] = await self._client.call(
                method, url, params=params, json_body=json_body, idempotent=idempotent
            )
            return result
        token = await self._client.auth.token()
        response = await self._client.send(
            method, url, params=params, json_body=json_body,
            headers={TOKEN_HEADER: token}, idempotent=idempotent,
        )  # fmt: skip
        return self._client.decode_json(response), response

    async def list_products(self, *, page_info: str | None, fields: str) -> Any:
        if not self._rest:
            raise NotImplementedError("id listings go through the REST client")
        return await self._client.list_products(page_info=page_info, fields=fields)


def _rest(connector: Any) -> _Rest:
    return _Rest(connector)


class ShopifyWebhooks:
    platform = "shopify"
    topics = ("products/create", "products/update", "products/delete", "inventory_levels/update")

    def own_secret(self, settings: Mapping[str, Any]) -> str | None:
        secret = settings.get("client_secret")
        return str(secret) if secret else None

    def is_ping(self, headers: Mapping[str, str], body: bytes) -> bool:
        return False

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        return signature_matches(header(headers, SIGNATURE), body, secret)

    def sign(self, body: bytes, secret: str) -> dict[str, str]:
        return {SIGNATURE: hmac_sha256_base64(body, secret)}

    def parse(
        self, headers: Mapping[str, str], body: bytes, *, currency: str | None = None
    ) -> WebhookEvent:
        topic = header(headers, "X-Shopify-Topic") or ""
        event_id = header(headers, "X-Shopify-Event-Id") or header(headers, "X-Shopify-Webhook-Id")
        triggered = _moment(header(headers, "X-Shopify-Triggered-At"))
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("a Shopify delivery that is not a JSON object")
        resource_id = str(data.get("id") or data.get("inventory_item_id") or "")
        key = event_id or f"{topic}:{resource_id}:{data.get('updated_at') or ''}"
        if topic == "products/delete":
            return WebhookEvent(
                key=key, topic=topic, action="delete", product_id=resource_id,
                occurred_at=triggered,
            )  # fmt: skip
        if topic not in _UPSERT_TOPICS:
            return WebhookEvent(key=key, topic=topic, action="ignore", occurred_at=triggered)
        payload = product_adapter.validate_python(data)
        product = map_product(payload, data, currency=currency)
        return WebhookEvent(
            key=key, topic=topic, action="upsert", product_id=product.id, product=product,
            occurred_at=triggered or product.updated_at,
        )  # fmt: skip

    # -- subscriptions through the REST Admin API (`webhooks.json`) ------------------------------

    async def subscriptions(self, connector: Any) -> list[Subscription]:
        client = _rest(connector)
        data, _ = await client.call("GET", client.url("webhooks.json"), params={"limit": 250})
        items = data.get("webhooks") if isinstance(data, dict) else None
        return [_subscription(item) for item in items or [] if isinstance(item, dict)]

    async def subscribe(
        self, connector: Any, address: str, secret: str, topics: Sequence[str] | None = None
    ) -> list[Subscription]:
        return [await self._create(connector, topic, address) for topic in topics or self.topics]

    async def _create(self, connector: Any, topic: str, address: str) -> Subscription:
        client = _rest(connector)
        body = {"webhook": {"topic": topic, "address": address, "format": "json"}}
        data, _ = await client.call("POST", client.url("webhooks.json"), json_body=body)
        return _subscription(data.get("webhook") or {})

    async def reactivate(
        self, connector: Any, subscription: Subscription, secret: str
    ) -> Subscription:
        return await self._create(connector, subscription.topic, subscription.address)

    async def unsubscribe(self, connector: Any, subscription_id: str) -> None:
        client = _rest(connector)
        with contextlib.suppress(NotFoundError):
            await client.call(
                "DELETE", client.url(f"webhooks/{subscription_id}.json"), idempotent=True
            )

    # -- reconciliation --------------------------------------------------------------------------

    async def product_ids(self, connector: Any) -> set[str]:
        client = _rest(connector)
        found: set[str] = set()
        page_info: str | None = None
        while True:
            batch = await client.list_products(page_info=page_info, fields="id")
            found |= {str(item.get("id")) for item in batch.raw if isinstance(item, dict)}
            page_info = batch.next_page_info
            if page_info is None:
                return found

    async def gone(self, connector: Any, product_ids: Sequence[str]) -> set[str]:
        client = _rest(connector)
        missing: set[str] = set()
        for product_id in product_ids:
            try:
                await client.call("GET", client.url(f"products/{product_id}.json"))
            except NotFoundError:
                missing.add(product_id)
        return missing


WEBHOOKS = ShopifyWebhooks()
