"""WooCommerce webhooks (PLATFORMS.md, "Facts checked in 2026-12").

- Signed with the webhook's own secret: `X-WC-Webhook-Signature` = base64(HMAC-SHA256(body)).
- Topics `product.created|updated|restored` carry the product as `GET /products/{id}` has it:
  a variable product's `variations` are ids only (the event's `variant_ids`: the hub keeps
  its own data of them), and a variation's own change comes as the variation (`type: "variation"`,
  `parent_id`), an `upsert_variant` of its parent. `product.deleted` carries only
  `{"id": N}`. Force deletes, batch deletes and variation deletes fire nothing: only the
  hub's reconciliation sees those.
- On creation WooCommerce posts an unsigned form body `webhook_id=N` to the address and refuses
  to save the webhook unless it gets a 2xx.
- After 5 consecutive failed deliveries the webhook's status becomes `disabled`.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import TypeAdapter

from g4hub_connectors.errors import NotFoundError
from g4hub_connectors.webhooks import (
    Subscription,
    WebhookEvent,
    header,
    hmac_sha256_base64,
    signature_matches,
)
from g4hub_connectors.woocommerce.mapping import map_product, map_variant, parse_gmt
from g4hub_connectors.woocommerce.payloads import WCProduct, WCVariation

__all__ = ["WEBHOOKS", "WooCommerceWebhooks"]

SIGNATURE = "X-WC-Webhook-Signature"
_PING = re.compile(rb"^webhook_id=\d+$")
_PRODUCT: TypeAdapter[WCProduct] = TypeAdapter(WCProduct)
_VARIATION: TypeAdapter[WCVariation] = TypeAdapter(WCVariation)
_UPSERT_TOPICS = frozenset({"product.created", "product.updated", "product.restored"})


def _subscription(data: Mapping[str, Any]) -> Subscription:
    return Subscription(
        id=str(data.get("id")),
        topic=str(data.get("topic") or ""),
        address=str(data.get("delivery_url") or ""),
        active=data.get("status") == "active",
    )


class WooCommerceWebhooks:
    platform = "woocommerce"
    topics = ("product.created", "product.updated", "product.deleted", "product.restored")

    def own_secret(self, settings: Mapping[str, Any]) -> str | None:
        return None

    def is_ping(self, headers: Mapping[str, str], body: bytes) -> bool:
        return header(headers, SIGNATURE) is None and bool(_PING.match(body.strip()))

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        return signature_matches(header(headers, SIGNATURE), body, secret)

    def sign(self, body: bytes, secret: str) -> dict[str, str]:
        return {SIGNATURE: hmac_sha256_base64(body, secret)}

    def parse(
        self, headers: Mapping[str, str], body: bytes, *, currency: str | None = None
    ) -> WebhookEvent:
        topic = header(headers, "X-WC-Webhook-Topic") or ""
        resource = header(headers, "X-WC-Webhook-Resource") or topic.partition(".")[0]
        delivery = header(headers, "X-WC-Webhook-Delivery-ID") or ""
        data = json.loads(body)
        if not isinstance(data, dict) or "id" not in data:
            raise ValueError("a WooCommerce delivery without a resource id")
        resource_id = str(data["id"])
        modified = data.get("date_modified_gmt")
        # A repeated delivery repeats all three; a new change of the product has a new time.
        key = f"{delivery}:{resource}:{resource_id}:{modified or ''}"
        if resource != "product":
            return WebhookEvent(key=key, topic=topic, action="ignore")
        if topic == "product.deleted":
            return WebhookEvent(
                key=key, topic=topic, action="delete", product_id=resource_id,
                occurred_at=parse_gmt(modified) if isinstance(modified, str) else None,
            )  # fmt: skip
        if topic not in _UPSERT_TOPICS:
            return WebhookEvent(key=key, topic=topic, action="ignore")
        if data.get("type") == "variation":
            return _variation_event(key, topic, data)
        item = _PRODUCT.validate_python(data)
        product = map_product(item, data, currency=currency)
        return WebhookEvent(
            key=key, topic=topic, action="upsert", product_id=product.id, product=product,
            occurred_at=product.updated_at,
            # The payload is `GET /products/{id}`: a variable product's variations as ids only.
            variant_ids=_variation_ids(item),
        )  # fmt: skip

    # -- subscriptions through the REST API (`/wc/v3/webhooks`) -----------------------------------

    async def subscriptions(self, connector: Any) -> list[Subscription]:
        client = connector._client
        found: list[Subscription] = []
        page = 1
        while True:
            response = await client.request(
                "GET", "webhooks", params=[("page", page), ("per_page", 100)]
            )
            data = client.decode_json(response)
            if not isinstance(data, list) or not data:
                return found
            found += [_subscription(item) for item in data if isinstance(item, dict)]
            if len(data) < 100:
                return found
            page += 1

    async def subscribe(
        self, connector: Any, address: str, secret: str, topics: Sequence[str] | None = None
    ) -> list[Subscription]:
        client = connector._client
        made: list[Subscription] = []
        for topic in topics or self.topics:
            body = {
                "name": f"G4 Hub {topic}",
                "topic": topic,
                "delivery_url": address,
                "secret": secret,
                "status": "active",
            }
            # A POST creates: never repeated on a passing failure (the watchdog re-creates).
            response = await client.write("POST", "webhooks", body, idempotent=False)
            made.append(_subscription(client.decode_json(response)))
        return made

    async def reactivate(
        self, connector: Any, subscription: Subscription, secret: str
    ) -> Subscription:
        client = connector._client
        body = {"status": "active", "secret": secret}
        response = await client.write("PUT", f"webhooks/{subscription.id}", body, idempotent=True)
        return _subscription(client.decode_json(response))

    async def unsubscribe(self, connector: Any, subscription_id: str) -> None:
        client = connector._client
        with contextlib.suppress(NotFoundError):
            await client.request(
                "DELETE", f"webhooks/{subscription_id}", params=[("force", "true")],
                idempotent=True,
            )  # fmt: skip

    # -- reconciliation --------------------------------------------------------------------------

    async def product_ids(self, connector: Any) -> set[str]:
        client = connector._client
        found: set[str] = set()
        page = 1
        while True:
            response = await client.request(
                "GET",
                "products",
                params=[("page", page), ("per_page", 100), ("status", "any"), ("_fields", "id")],
            )
            data = client.decode_json(response)
            if not isinstance(data, list) or not data:
                return found
            found |= {str(item["id"]) for item in data if isinstance(item, dict) and "id" in item}
            if len(data) < 100:
                return found
            page += 1

    async def gone(self, connector: Any, product_ids: Sequence[str]) -> set[str]:
        client = connector._client
        missing: set[str] = set()
        for product_id in product_ids:
            try:
                response = await client.request(
                    "GET", f"products/{int(product_id)}", params=[("_fields", "id,status")]
                )
            except NotFoundError:
                missing.add(product_id)
                continue
            except ValueError:
                continue
            data = client.decode_json(response)
            # Listings with status=any leave the trash out, as the sync does.
            if isinstance(data, dict) and data.get("status") == "trash":
                missing.add(product_id)
        return missing


def _variation_ids(product: WCProduct) -> tuple[str, ...] | None:
    if product.type != "variable":
        return None
    return tuple(str(variation_id) for variation_id in product.variations or ())


def _variation_event(key: str, topic: str, data: dict[str, Any]) -> WebhookEvent:
    """A variation's own change: WooCommerce fires `product.created` / `product.updated` for
    variations too, with the variation's JSON (`type: "variation"`, its `parent_id`)."""
    variation = _VARIATION.validate_python(data)
    if not variation.parent_id:
        return WebhookEvent(key=key, topic=topic, action="ignore")
    return WebhookEvent(
        key=key, topic=topic, action="upsert_variant", product_id=str(variation.parent_id),
        variant=map_variant(variation), occurred_at=parse_gmt(variation.date_modified_gmt),
    )  # fmt: skip


WEBHOOKS = WooCommerceWebhooks()
