"""The hub's tables, one per module. Importing this package registers all of them on
`Base.metadata` (Alembic's environment does)."""

from g4hub_core.models.store import Store
from g4hub_core.models.store_product import StoreProduct
from g4hub_core.models.sync_log import SyncLog
from g4hub_core.models.tenant import Tenant
from g4hub_core.models.user import User

__all__ = ["Store", "StoreProduct", "SyncLog", "Tenant", "User"]
