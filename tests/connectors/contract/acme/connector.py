"""Acme's connector: a JSON API with page numbers and a bearer token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

import httpx
from pydantic import SecretStr

from g4hub_connectors import (
    BaseConnector,
    ConnectorConfig,
    Product,
    ProductPage,
    ProductUpdate,
    ProductVariant,
    StoreInfo,
)
from g4hub_connectors._http import ErrorBody, HTTPClient
from tests.connectors.contract.acme.descriptor import DESCRIPTOR


class AcmeConfig(ConnectorConfig):
    platform: Literal["acme"] = "acme"
    api_version: str = "v1"
    api_token: SecretStr

    secret_fields: ClassVar[tuple[str, ...]] = ("api_token",)


class _Client(HTTPClient):
    platform = "acme"
    request_id_header = "X-Acme-Request"

    def parse_error(self, response: httpx.Response) -> ErrorBody:
        try:
            data = response.json()
        except ValueError:
            return ErrorBody()
        return ErrorBody(code=str(data.get("error")) if isinstance(data, dict) else None)

    async def get(self, path: str, **params: Any) -> Any:
        return await self.call("GET", path, params=params)

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.config.api_token.get_secret_value()}"}  # type: ignore[attr-defined]
        url = f"{self.config.store_url}/api/{self.config.api_version}/{path}"
        response = await self.send(method, url, headers=headers, idempotent=True, **kwargs)
        return self.decode_json(response)


def _money(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def _product(data: dict[str, Any], currency: str | None) -> Product:
    variants = [
        ProductVariant(id=str(v["id"]), sku=v["sku"] or None, price=_money(v["price"]))
        for v in data["variants"]
    ]
    return Product(
        id=str(data["id"]),
        name=data["name"],
        platform="acme",
        sku=data["sku"] or None,
        price=_money(data["sale_price"]) or _money(data["regular_price"]),
        regular_price=_money(data["regular_price"]),
        sale_price=_money(data["sale_price"]),
        currency=currency,
        stock_quantity=data["stock"],
        manage_stock=data["manage_stock"],
        status=data["status"],
        variants=variants,
        updated_at=datetime.fromisoformat(data["updated_at"]),
        raw=data,
    )


class AcmeConnector(BaseConnector[AcmeConfig]):
    platform: ClassVar[str] = "acme"
    config_class = AcmeConfig
    descriptor = DESCRIPTOR

    def __init__(self, config: AcmeConfig, *, http_client: httpx.AsyncClient | None = None):
        super().__init__(config, http_client=http_client)
        self._client = _Client(config, http_client)
        self._currency: str | None = None

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get_store_info(self) -> StoreInfo:
        shop = await self._client.get("shop")
        self._currency = shop["currency"]
        return StoreInfo(
            platform="acme",
            name=shop["name"],
            url=self.config.store_url,
            currency=shop["currency"],
            api_version=self.config.api_version,
        )

    async def _currency_once(self) -> str | None:
        if self._currency is None:
            await self.get_store_info()
        return self._currency

    async def count_products(self) -> int:
        return int((await self._client.get("products", per_page=1))["total"])

    async def get_products(self, cursor: str | None = None, limit: int = 100) -> ProductPage:
        page = await self._client.get("products", page=cursor or "1", per_page=min(limit, 100))
        currency = await self._currency_once()
        following = page["next_page"]
        return ProductPage(
            products=[_product(p, currency) for p in page["products"]],
            next_cursor=str(following) if following else None,
            total_items=page["total"],
        )

    async def iter_products(
        self, *, updated_since: datetime | None = None, include_variants: bool = False
    ) -> AsyncIterator[Product]:
        currency = await self._currency_once()
        page: int | None = 1
        seen: set[str] = set()
        while page:
            params: dict[str, Any] = {"page": page, "per_page": 100}
            if updated_since is not None:
                params["updated_after"] = updated_since.isoformat()
            data = await self._client.get("products", **params)
            for raw in data["products"]:
                if str(raw["id"]) not in seen:
                    seen.add(str(raw["id"]))
                    yield _product(raw, currency)
            page = data["next_page"]

    async def get_product(self, product_id: str, *, include_variants: bool = True) -> Product:
        currency = await self._currency_once()
        return _product(await self._client.get(f"products/{product_id}"), currency)

    async def update_product(self, product_id: str, update: ProductUpdate) -> Product:
        body = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in update.changes().items()}
        currency = await self._currency_once()
        data = await self._client.call("PUT", f"products/{product_id}", json_body=body)
        return _product(data, currency)
