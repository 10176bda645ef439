"""The connector protocol every platform implements, and the base class doing the shared part."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

import httpx

from g4hub_connectors.config import ConnectorConfig
from g4hub_connectors.descriptor import PlatformDescriptor
from g4hub_connectors.errors import ConnectorError
from g4hub_connectors.models import (
    ConnectionResult,
    Product,
    ProductPage,
    ProductUpdate,
    StoreInfo,
)

__all__ = ["BaseConnector", "Connector"]

ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)
# Any, not ConnectorConfig: BaseConnector is invariant in its config, so a ShopifyConnector is no
# BaseConnector[ConnectorConfig], and `async with ShopifyConnector(...)` must still type-check.
Self = TypeVar("Self", bound="BaseConnector[Any]")


@runtime_checkable
class Connector(Protocol):
    """What the hub, and any app, can do with a store, whatever its platform.

    Use it as an async context manager: the connector closes the HTTP client it made (never one
    the caller passed in).
    """

    platform: ClassVar[str]
    config: ConnectorConfig

    async def __aenter__(self) -> Connector: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def aclose(self) -> None: ...

    async def test_connection(self) -> ConnectionResult:
        """Check the credentials against the live store. Never raises for store problems."""
        ...

    async def get_store_info(self) -> StoreInfo: ...

    async def count_products(self) -> int: ...

    async def get_products(self, cursor: str | None = None, limit: int = 100) -> ProductPage:
        """One page; pass `next_cursor` back for the next. `limit` is capped by the platform."""
        ...

    def iter_products(
        self, *, updated_since: datetime | None = None, include_variants: bool = False
    ) -> AsyncIterator[Product]:
        """Every product (changed since `updated_since`, when given), each exactly once."""
        ...

    async def get_product(self, product_id: str, *, include_variants: bool = True) -> Product: ...

    async def update_product(self, product_id: str, update: ProductUpdate) -> Product:
        """Apply `update` and return the product as the store now has it."""
        ...


class BaseConnector(ABC, Generic[ConfigT]):
    """Shared behaviour: lifecycle, and `test_connection` built on `get_store_info` and
    `count_products`. Platforms implement the rest."""

    platform: ClassVar[str]
    config_class: ClassVar[type[ConnectorConfig]]
    descriptor: ClassVar[PlatformDescriptor | None] = None
    """The platform's descriptor, found by the registry when the connector is registered; the
    built-in platforms export theirs from their folder's `descriptor` module."""

    def __init__(self, config: ConfigT, *, http_client: httpx.AsyncClient | None = None) -> None:
        self.config = config

    def __repr__(self) -> str:
        return f"{type(self).__name__}(store_url={self.config.store_url!r})"

    async def __aenter__(self: Self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @abstractmethod
    async def aclose(self) -> None: ...

    async def test_connection(self) -> ConnectionResult:
        """Store info and product count; any `ConnectorError` becomes a failed result."""
        try:
            info = await self.get_store_info()
            count = await self.count_products()
        except ConnectorError as exc:
            return ConnectionResult(
                success=False,
                platform=self.platform,
                error_code=exc.code,
                error_message=exc.user_message,
                remedy=exc.remedy,
                request_id=exc.request_id,
                warnings=self.warnings(),
            )
        return ConnectionResult(
            success=True,
            platform=self.platform,
            store_name=info.name,
            products_count=count,
            store_info=info,
            warnings=self.warnings(),
        )

    def warnings(self) -> list[str]:
        """Things the merchant should know that did not stop the connection (version fell
        forward, a fallback was needed)."""
        return []

    @abstractmethod
    async def get_store_info(self) -> StoreInfo: ...

    @abstractmethod
    async def count_products(self) -> int: ...

    @abstractmethod
    async def get_products(self, cursor: str | None = None, limit: int = 100) -> ProductPage: ...

    @abstractmethod
    def iter_products(
        self, *, updated_since: datetime | None = None, include_variants: bool = False
    ) -> AsyncIterator[Product]: ...

    @abstractmethod
    async def get_product(self, product_id: str, *, include_variants: bool = True) -> Product: ...

    @abstractmethod
    async def update_product(self, product_id: str, update: ProductUpdate) -> Product: ...
