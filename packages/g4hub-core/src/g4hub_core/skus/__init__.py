"""One SKU across stores: the tenant's catalog keyed by SKU (`unit.skus`), and its conflicts."""

from g4hub_core.skus.repository import stock_listings
from g4hub_core.skus.schemas import ConflictReport, SkuListing, SkuPage, SkuRow
from g4hub_core.skus.service import MAX_SKU_PAGE, SkuService

__all__ = [
    "MAX_SKU_PAGE",
    "ConflictReport",
    "SkuListing",
    "SkuPage",
    "SkuRow",
    "SkuService",
    "stock_listings",
]
