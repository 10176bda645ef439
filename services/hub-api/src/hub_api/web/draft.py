"""The add-store wizard's draft: what the merchant typed and the hub checked, carried from step to
step in a hidden form field, sealed by the vault so the page never holds a plain credential.

    token = seal_draft(vault, tenant_id, draft)          # into <input type="hidden" name="draft">
    draft = open_draft(vault, tenant_id, token)          # DraftRejected if expired or altered

The seal (AES-GCM) is bound to the tenant and to this purpose: a draft cannot be opened by
another tenant, nor taken for a store's sealed credentials, nor altered without being refused.
It expires `DRAFT_TTL` after the connection test; the merchant then tests again.

A failed test seals what the merchant typed the same way (`kind="retry"`), so the form comes back
with it kept and the merchant fixes one field instead of pasting every secret again; a retry
draft is only ever taken back by the test step, never by the steps that save.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from g4hub_core import VaultError
from g4hub_core.vault.sealed import Sealed
from g4hub_core.vault.vault import Vault

__all__ = [
    "DRAFT_TTL_SECONDS",
    "Draft",
    "DraftRejected",
    "new_draft",
    "open_draft",
    "seal_draft",
]

DRAFT_TTL_SECONDS = 30 * 60
_MAX_TOKEN = 16_000
_VERSION = 1

DraftKind = Literal["connected", "retry"]


def _context(tenant_id: uuid.UUID) -> bytes:
    return f"g4hub/web/store-wizard-draft/v{_VERSION}/{tenant_id}".encode()


class DraftRejected(Exception):
    """A draft that cannot be used: `reason` is "expired" or "invalid" (altered, another
    tenant's, or not a draft at all)."""

    def __init__(self, reason: Literal["expired", "invalid"]) -> None:
        super().__init__(f"draft {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Draft:
    """The wizard's state after a successful connection test. `settings` is the flat connection
    mapping (platform, store_url, credentials); `expires_at` is a Unix time."""

    settings: dict[str, str] = field(repr=False)
    store_name: str | None
    products_count: int | None
    expires_at: float
    kind: DraftKind = "connected"

    @property
    def platform(self) -> str:
        return self.settings["platform"]

    def __repr__(self) -> str:
        return (
            f"Draft(platform={self.platform!r}, kind={self.kind!r}, expires_at={self.expires_at})"
        )


def seal_draft(vault: Vault, tenant_id: uuid.UUID, draft: Draft) -> str:
    payload = {
        "v": _VERSION,
        "settings": draft.settings,
        "store_name": draft.store_name,
        "products_count": draft.products_count,
        "exp": draft.expires_at,
        "kind": draft.kind,
    }
    return vault.seal(json.dumps(payload).encode(), context=_context(tenant_id)).token


def new_draft(
    settings: dict[str, str],
    store_name: str | None,
    products_count: int | None,
    *,
    kind: DraftKind = "connected",
) -> Draft:
    return Draft(settings, store_name, products_count, time.time() + DRAFT_TTL_SECONDS, kind)


def open_draft(
    vault: Vault,
    tenant_id: uuid.UUID,
    token: str,
    *,
    now: float | None = None,
    kind: DraftKind = "connected",
) -> Draft:
    """The draft sealed in `token`; `DraftRejected` when it expired, was altered, is another
    tenant's, or is not of `kind` (a failed test's draft never reaches the saving steps)."""
    if not token or len(token) > _MAX_TOKEN:
        raise DraftRejected("invalid")
    try:
        raw: Any = json.loads(vault.open(Sealed(token), context=_context(tenant_id)))
        settings = {str(k): str(v) for k, v in raw["settings"].items()}
        draft = Draft(
            settings=settings,
            store_name=None if raw["store_name"] is None else str(raw["store_name"]),
            products_count=None if raw["products_count"] is None else int(raw["products_count"]),
            expires_at=float(raw["exp"]),
            kind="retry" if raw.get("kind") == "retry" else "connected",
        )
        if raw["v"] != _VERSION or "platform" not in settings or draft.kind != kind:
            raise ValueError("not a draft")
    except (VaultError, ValueError, KeyError, TypeError, AttributeError):
        raise DraftRejected("invalid") from None
    if (time.time() if now is None else now) >= draft.expires_at:
        raise DraftRejected("expired")
    return draft
