"""The catalog: each store's products as the hub last synced them, paged and searchable."""

from g4hub_core.catalog.repository import ProductRepository
from g4hub_core.catalog.schemas import ProductDetail, ProductList, ProductRead
from g4hub_core.catalog.service import CatalogService

__all__ = ["CatalogService", "ProductDetail", "ProductList", "ProductRead", "ProductRepository"]
