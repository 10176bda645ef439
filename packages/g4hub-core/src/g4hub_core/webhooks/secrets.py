"""Webhook signing secrets: generated per store where the platform lets the hub choose one
(WooCommerce), sealed by the vault and bound to their store like its credentials."""

from __future__ import annotations

import secrets
import uuid

from g4hub_core.models import WebhookEndpoint
from g4hub_core.vault.sealed import Sealed
from g4hub_core.vault.vault import Vault

__all__ = ["new_secret", "new_token", "open_secret", "seal_secret"]


def _context(tenant_id: uuid.UUID, store_id: uuid.UUID) -> bytes:
    return f"g4hub/webhook-secret/v1/{tenant_id}/{store_id}".encode()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_token() -> str:
    """An endpoint's address segment: 256 random bits."""
    return secrets.token_urlsafe(32)


def seal_secret(secret: str, vault: Vault, tenant_id: uuid.UUID, store_id: uuid.UUID) -> Sealed:
    return vault.seal(secret.encode(), context=_context(tenant_id, store_id))


def open_secret(endpoint: WebhookEndpoint, vault: Vault) -> str | None:
    if endpoint.secret is None:
        return None
    context = _context(endpoint.tenant_id, endpoint.store_id)
    return vault.open(endpoint.secret, context=context).decode()
