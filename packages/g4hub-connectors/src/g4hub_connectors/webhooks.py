"""Webhooks: what a platform's deliveries mean, and managing a store's subscriptions, behind one
small optional protocol, so a hub never asks which platform a store is on.

    hooks = gc.webhook_platform(store.platform)     # None: the platform has no webhooks here
    if hooks.verify(headers, body, secret):          # before anything else is read
        event = hooks.parse(headers, body, currency="EUR")
    async with connector:
        await hooks.subscribe(connector, "https://hub.example/webhooks/...", secret)

Each platform folder holds its own `webhooks.py` with a `WebhookPlatform`. Deliveries are
verified with HMAC-SHA256 over the raw body, compared in constant time. `parse` turns a
delivery into a `WebhookEvent`: the product to upsert or the id to remove, a key that is the
same for a repeated delivery of the same change, and when the change happened (to drop
deliveries older than what the hub holds).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from g4hub_connectors.models import Product, ProductVariant

__all__ = [
    "Subscription",
    "WebhookAction",
    "WebhookEvent",
    "WebhookPlatform",
    "hmac_sha256_base64",
    "register_webhooks",
    "signature_matches",
    "webhook_platform",
]

WebhookAction = Literal["upsert", "upsert_variant", "delete", "ping", "ignore"]


@dataclass(frozen=True)
class WebhookEvent:
    """One delivery, understood.

    `key`: equal for repeated deliveries of the same change (the hub's dedupe key).
    `action`: "upsert" (`product` set), "upsert_variant" (`variant` changed in the product
    `product_id`, the rest of which the delivery does not carry), "delete" (`product_id` set),
    "ping" (the platform checking the address) or "ignore" (a topic the hub does not act on).
    `variant_ids`: set when the delivery names the product's variants without their data
    (WooCommerce lists variation ids only): `product.variants` is then empty, and the variants
    the hub holds with these ids stand. `occurred_at`: when the change happened at the store,
    `None` when the delivery does not say.
    """

    key: str
    topic: str
    action: WebhookAction
    product_id: str | None = None
    product: Product | None = None
    occurred_at: datetime | None = None
    variant: ProductVariant | None = None
    variant_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Subscription:
    """A webhook subscription as the store holds it. `active` is False for one the store has
    disabled (WooCommerce after 5 failed deliveries)."""

    id: str
    topic: str
    address: str
    active: bool = True


class WebhookPlatform(Protocol):
    """A platform's webhooks. `topics`: what `subscribe` subscribes to. `own_secret`: the
    store signs with a secret of its own configuration (Shopify: the app's client secret),
    else `None` and the hub generates one per store and gives it to `subscribe`."""

    platform: str
    topics: tuple[str, ...]

    def own_secret(self, settings: Mapping[str, Any]) -> str | None: ...

    def is_ping(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether this is the platform's unsigned check of a new address (WooCommerce posts
        `webhook_id=N` without a signature, and refuses to create the webhook unless it gets a
        2xx). A ping carries nothing to act on."""
        ...

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        """Whether the delivery carries a valid signature of `body` by `secret`."""
        ...

    def sign(self, body: bytes, secret: str) -> dict[str, str]:
        """The signature headers the store would send with `body` (for fakes and tests)."""
        ...

    def parse(
        self, headers: Mapping[str, str], body: bytes, *, currency: str | None = None
    ) -> WebhookEvent:
        """The event of a verified delivery; raises `ValueError` for a body that is not one."""
        ...

    async def subscriptions(self, connector: Any) -> list[Subscription]: ...

    async def subscribe(
        self, connector: Any, address: str, secret: str, topics: Sequence[str] | None = None
    ) -> list[Subscription]:
        """Create a subscription delivering to `address` for each of `topics` (default: all of
        `self.topics`)."""
        ...

    async def reactivate(
        self, connector: Any, subscription: Subscription, secret: str
    ) -> Subscription:
        """Turn a disabled subscription back on (or create it again)."""
        ...

    async def unsubscribe(self, connector: Any, subscription_id: str) -> None:
        """Delete a subscription; one already gone is not an error."""
        ...

    async def product_ids(self, connector: Any) -> set[str]:
        """Every product id the store lists, read as cheaply as the API allows (ids only): the
        reconciliation's listing, compared with the hub's rows to find deletions no webhook
        announced. A listing may miss an id that moved between pages: confirm with `gone`."""
        ...

    async def gone(self, connector: Any, product_ids: Sequence[str]) -> set[str]:
        """Those of `product_ids` the store no longer lists (deleted, or in the trash), each
        confirmed by reading it."""
        ...


_platforms: dict[str, WebhookPlatform] = {}
_BUILTIN = {
    "woocommerce": "g4hub_connectors.woocommerce.webhooks",
    "shopify": "g4hub_connectors.shopify.webhooks",
}


def register_webhooks(handler: WebhookPlatform) -> None:
    """Make `handler` the webhooks of `handler.platform` (a third platform's package calls this)."""
    _platforms[handler.platform] = handler


def webhook_platform(platform: str) -> WebhookPlatform | None:
    """The webhooks of `platform` (its API variant, e.g. "shopify.graphql", shares them), or
    `None` when it has none."""
    base = platform.split(".", 1)[0]
    if base not in _platforms and base in _BUILTIN:
        module = importlib.import_module(_BUILTIN[base])
        register_webhooks(module.WEBHOOKS)
    return _platforms.get(base)


def hmac_sha256_base64(body: bytes, secret: str) -> str:
    """base64(HMAC-SHA256(body, secret)): the signature both platforms send."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_matches(given: str | None, body: bytes, secret: str) -> bool:
    """Compare a received signature with the expected one in constant time."""
    if not given or not secret:
        return False
    return hmac.compare_digest(given.strip().encode(), hmac_sha256_base64(body, secret).encode())


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name (a plain dict of headers keeps the sender's case)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None
