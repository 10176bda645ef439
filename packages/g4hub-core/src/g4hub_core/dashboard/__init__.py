"""The dashboard's data: every store's state, products synced, and recent sync activity."""

from g4hub_core.dashboard.schemas import Activity, Indicator, Overview, StoreStatus
from g4hub_core.dashboard.service import DashboardService

__all__ = ["Activity", "DashboardService", "Indicator", "Overview", "StoreStatus"]
