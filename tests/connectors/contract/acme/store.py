"""A fake Acme shop: the few routes the connector uses, with bearer tokens and page numbers; the
fault injection, latency and loopback serving come from the SDK's `FakeStore`."""

from __future__ import annotations

import math
import secrets
from datetime import datetime
from typing import Any

from g4hub_connectors.testing import FakeStore, Request, Response, SeedProduct, generate_catalog


def _render(seed: SeedProduct) -> dict[str, Any]:
    return {
        "id": 1000 + seed.index,
        "name": seed.name,
        "sku": seed.sku,
        "regular_price": seed.regular_price or seed.price,
        "sale_price": seed.sale_price,
        "stock": seed.stock if seed.manage_stock else None,
        "manage_stock": seed.manage_stock,
        "status": seed.status,
        "updated_at": seed.updated_at.isoformat(),
        "variants": [
            {"id": 50_000 + seed.index * 10 + v.index, "sku": v.sku, "price": v.price}
            for v in seed.variants
        ],
    }


class FakeAcmeStore(FakeStore):
    default_url = "https://shop.acme.example"

    def __init__(self, *, products: int = 50, latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        self.token = "acme_" + secrets.token_hex(16)
        self.catalog = {str(1000 + p.index): _render(p) for p in generate_catalog(products)}

    def credentials(self, **overrides: Any) -> dict[str, Any]:
        return {"platform": "acme", "store_url": self.url, "api_token": self.token, **overrides}

    def wrong_credentials(self) -> dict[str, Any]:
        return self.credentials(api_token="acme_" + "0" * 32)

    def product_ids(self) -> list[str]:
        return list(self.catalog)

    def ids_updated_since(self, since: datetime) -> set[str]:
        return {
            pid
            for pid, p in self.catalog.items()
            if datetime.fromisoformat(p["updated_at"]) > since
        }

    def variable_product_ids(self) -> set[str]:
        return {pid for pid, p in self.catalog.items() if len(p["variants"]) > 1}

    def delete_product(self, product_id: str) -> None:
        del self.catalog[product_id]

    async def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Response.json({"error": "unauthorized"}, 401)
        parts = request.path.strip("/").split("/")
        if parts[:2] != ["api", "v1"]:
            return Response.json({"error": "no_route"}, 404)
        rest = parts[2:]
        if rest == ["shop"]:
            return Response.json({"name": "Acme Test Shop", "currency": "EUR"})
        if rest == ["products"]:
            return self._list(request)
        if len(rest) == 2 and rest[0] == "products":
            product = self.catalog.get(rest[1])
            if product is None:
                return Response.json({"error": "not_found"}, 404)
            if request.method == "PUT":
                self._apply(product, request.json())
            return Response.json(product)
        return Response.json({"error": "no_route"}, 404)

    def _list(self, request: Request) -> Response:
        per_page = int(request.param("per_page", "10") or 10)
        page = int(request.param("page", "1") or 1)
        since = request.param("updated_after")
        ids = self.product_ids()
        if since is not None:
            ids = [i for i in ids if i in self.ids_updated_since(datetime.fromisoformat(since))]
        chunk = ids[(page - 1) * per_page : page * per_page]
        pages = math.ceil(len(ids) / per_page)
        return Response.json(
            {
                "products": [self.catalog[i] for i in chunk],
                "next_page": page + 1 if page < pages else None,
                "total": len(ids),
            }
        )

    @staticmethod
    def _apply(product: dict[str, Any], changes: dict[str, Any]) -> None:
        if "price" in changes:
            product["regular_price"] = changes["price"]
        if "sale_price" in changes:
            product["sale_price"] = changes["sale_price"] or ""
        if "manage_stock" in changes:
            product["manage_stock"] = changes["manage_stock"]
        if "stock_quantity" in changes:
            product["stock"] = changes["stock_quantity"]
            product["manage_stock"] = True
