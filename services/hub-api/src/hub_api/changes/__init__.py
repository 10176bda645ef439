"""`/api/changes`: the tenant's change feed."""

from hub_api.changes.controller import ChangeController

__all__ = ["ChangeController"]
