"""`/api/catalog/skus`: one SKU across the tenant's stores."""

from hub_api.skus.controller import SkuController

__all__ = ["SkuController"]
