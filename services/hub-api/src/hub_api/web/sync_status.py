"""A store's sync as the store page says it, and as `/stores/<id>/sync-status` answers it:
"Syncing: 120 of 300 products" while a sync is queued or running, then "Last sync succeeded" or
"Last sync failed: <message>"."""

from __future__ import annotations

from typing import Any

from g4hub_core.sync.schemas import SyncLogRead

__all__ = ["sync_state"]


def sync_state(active: SyncLogRead | None, latest: SyncLogRead | None) -> dict[str, Any]:
    """`active` (the store's queued or running sync) and `latest` (its newest sync, any
    status) as `{active, status, text, detail, fetched, total}`; the page and the JSON share it."""
    log = active or latest
    state: dict[str, Any] = {
        "active": active is not None,
        "status": log.status if log else "never",
        "fetched": log.products_fetched if log else 0,
        "total": log.products_total if log else None,
        "detail": "",
    }
    if active is not None:
        if active.status == "queued":
            state["text"] = "Syncing: waiting to start…"
        elif active.products_total:
            state["text"] = (
                f"Syncing: {active.products_fetched:,} of {active.products_total:,} products"
            )
        else:
            state["text"] = f"Syncing: {active.products_fetched:,} products so far"
    elif latest is None:
        state["text"] = "Never synced"
        state["detail"] = "Sync now to bring the store's products into the hub."
    elif latest.status == "succeeded":
        state["text"] = "Last sync succeeded"
        state["detail"] = (
            f"{latest.products_fetched:,} products: {latest.products_created:,} new, "
            f"{latest.products_updated:,} updated, {latest.products_deleted:,} removed."
        )
    else:
        state["text"] = f"Last sync failed: {latest.error_message or 'unknown error'}"
        state["detail"] = "Check the store's connection, then sync again."
    return state
