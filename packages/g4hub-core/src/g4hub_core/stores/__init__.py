"""Stores: a tenant's WooCommerce and Shopify stores, their sealed credentials and connection
tests. `unit.stores` is the `StoreService`."""

from g4hub_core.stores.hosts import check_store_host
from g4hub_core.stores.schemas import (
    ConnectionCheck,
    ConnectionCheckError,
    ConnectionStatus,
    StoreCreate,
    StoreCredentials,
    StoreRead,
    StoreUpdate,
)
from g4hub_core.stores.service import StoreService

__all__ = [
    "ConnectionCheck",
    "ConnectionCheckError",
    "ConnectionStatus",
    "StoreCreate",
    "StoreCredentials",
    "StoreRead",
    "StoreService",
    "StoreUpdate",
    "check_store_host",
]
