"""The hub's tables, one per module. Importing this package registers all of them on
`Base.metadata` (Alembic's environment does)."""

from g4hub_core.models.product_change import ProductChange
from g4hub_core.models.sku_summary import SkuPending, SkuStoreListing, SkuSummary
from g4hub_core.models.sku_variant import SkuVariant
from g4hub_core.models.store import Store
from g4hub_core.models.store_product import StoreProduct
from g4hub_core.models.sync_log import SyncLog
from g4hub_core.models.sync_rule import SyncRule, SyncRuleRun
from g4hub_core.models.tenant import Tenant
from g4hub_core.models.user import User
from g4hub_core.models.webhook_delivery import WebhookDelivery
from g4hub_core.models.webhook_endpoint import WebhookEndpoint
from g4hub_core.models.write_audit import WriteAudit
from g4hub_core.models.write_job import WriteJob

__all__ = [
    "ProductChange",
    "SkuPending",
    "SkuStoreListing",
    "SkuSummary",
    "SkuVariant",
    "Store",
    "StoreProduct",
    "SyncLog",
    "SyncRule",
    "SyncRuleRun",
    "Tenant",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WriteAudit",
    "WriteJob",
]
