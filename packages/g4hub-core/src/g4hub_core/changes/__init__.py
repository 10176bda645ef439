"""The change feed: every product created, updated or deleted in a tenant's catalog, in a stable
order, resumable from an opaque cursor (`GET /api/changes`, `unit.changes.page(...)`)."""

from g4hub_core.changes.repository import ChangeEntry, record_changes
from g4hub_core.changes.schemas import ChangePage, ChangeRead
from g4hub_core.changes.service import ChangeFeed

__all__ = ["ChangeEntry", "ChangeFeed", "ChangePage", "ChangeRead", "record_changes"]
