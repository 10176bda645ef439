"""`POST /webhooks/{platform}/{endpoint}`: where stores deliver (no sign-in, no CSRF: the
signature over the raw body is the authentication), and `/api/stores/{id}/webhooks`: a store's
real-time status, subscribing now, and the signing secret where the hub cannot choose it.

The delivery endpoint answers fast (Shopify waits 5 s): it verifies, stores and answers; the
catalog is updated after, by the hub's webhook processor. 200 for a stored delivery, a repeat
or WooCommerce's ping; 401 for a bad signature (nothing stored); 404 for an unknown endpoint;
413 past `webhook_max_body_bytes`; 400 for a signed body that is not a delivery.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_202_ACCEPTED,
    HTTP_204_NO_CONTENT,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_404_NOT_FOUND,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
)
from pydantic import BaseModel, Field, SecretStr

from g4hub_core import Hub, Unit
from g4hub_core.webhooks import WebhookStatusRead
from hub_api.auth.principal import Principal
from hub_api.errors import ApiError, documented_errors
from hub_api.model_schemas import ModelRules, register

__all__ = ["StoreWebhookController", "WebhookInboxController"]

_REFUSED = {
    "bad_signature": (
        HTTP_401_UNAUTHORIZED,
        "invalid_signature",
        "The delivery's signature does not match.",
    ),
    "unknown_endpoint": (HTTP_404_NOT_FOUND, "not_found", "No webhook endpoint at this address."),
    "invalid": (HTTP_400_BAD_REQUEST, "invalid_delivery", "The body is not a webhook delivery."),
}


class DeliveryAnswer(BaseModel):
    outcome: str
    """`accepted` | `duplicate` | `ping`."""


class SigningSecret(BaseModel):
    secret: SecretStr = Field(min_length=8, max_length=512)
    """The secret the store signs deliveries with (a Shopify custom app's API secret key)."""


# The hub takes a secret of at least 8 characters once the spaces around it are left out.
register(
    SigningSecret,
    ModelRules(fields={"secret": {"pattern": r"^\s*\S[\s\S]{6,}\S\s*$", "max_length": 512}}),
)


async def _body(request: Request[Any, Any, Any], limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise _too_large(limit)
    return bytes(received)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        "delivery_too_large",
        f"Webhook deliveries over {limit} bytes are refused.",
    )


class WebhookInboxController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]
    # The signature is the authentication: no token, no session, no CSRF.
    opt = {"exclude_from_auth": True}

    @post(
        "/{platform:str}/{endpoint:str}",
        status_code=HTTP_200_OK,
        summary="Receive a webhook delivery",
        security=[],
        raises=documented_errors(HTTP_401_UNAUTHORIZED, HTTP_413_REQUEST_ENTITY_TOO_LARGE),
    )
    async def receive(
        self,
        request: Request[Any, Any, Any],
        hub: NamedDependency[Hub],
        platform: Annotated[str, PathParameter(max_length=32)],
        endpoint: Annotated[str, PathParameter(max_length=64)],
    ) -> DeliveryAnswer:
        """A store's delivery, verified before anything is stored."""
        body = await _body(request, hub.settings.webhook_max_body_bytes)
        received = await hub.webhooks.receive(platform, endpoint, dict(request.headers), body)
        refused = _REFUSED.get(received.outcome)
        if refused is not None:
            raise ApiError(*refused)
        return DeliveryAnswer(outcome=received.outcome)


StoreId = Annotated[uuid.UUID, PathParameter(description="The store's id.")]


class StoreWebhookController(Controller):
    path = "/api/stores/{store_id:uuid}/webhooks"
    tags = ["webhooks"]

    @get("/", summary="Read a store's real-time status")
    async def status(self, unit: NamedDependency[Unit], store_id: StoreId) -> WebhookStatusRead:
        """`live`, `degraded` or `off` (with the reason), the topics subscribed, and what the
        deliveries did (each counted once, however often it came)."""
        return await unit.webhooks.status(store_id)

    @post("/", status_code=HTTP_202_ACCEPTED, summary="Subscribe to a store's webhooks now")
    async def subscribe(
        self,
        unit: NamedDependency[Unit],
        hub: NamedDependency[Hub],
        principal: NamedDependency[Principal],
        store_id: StoreId,
    ) -> WebhookStatusRead:
        """Create (or re-enable) the store's subscriptions at the store and answer the status
        reached. Without `G4HUB_PUBLIC_URL` the status is `off` and says so."""
        await unit.stores.get(store_id)
        await hub.webhooks.subscribe(principal.tenant_id, store_id)
        async with hub.unit(principal.tenant_id) as fresh:
            return await fresh.webhooks.status(store_id)

    @put("/secret", status_code=HTTP_204_NO_CONTENT, summary="Set a store's signing secret")
    async def set_secret(
        self, unit: NamedDependency[Unit], store_id: StoreId, data: JSONBody[SigningSecret]
    ) -> None:
        """The secret the store signs its deliveries with, where the hub cannot choose it (a
        Shopify custom app: its API secret key). Sealed; never read back."""
        await unit.webhooks.set_signing_secret(store_id, data.secret.get_secret_value())
