"""Reading a store's catalog as the hub last synced it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from g4hub_core.catalog.repository import ProductRepository
from g4hub_core.catalog.schemas import ProductDetail, ProductList, ProductRead
from g4hub_core.errors import InvalidInput, NotFound
from g4hub_core.stores.repository import StoreRepository

if TYPE_CHECKING:
    from g4hub_core.hub import Unit

__all__ = ["MAX_PER_PAGE", "MAX_QUERY_LENGTH", "CatalogService"]

MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000
MAX_QUERY_LENGTH = 200


class CatalogService:
    """The tenant's synced products, store by store. A store of another tenant does not exist
    here: asking for it raises `NotFound`, exactly as for an unknown id."""

    def __init__(self, unit: Unit) -> None:
        self._products = ProductRepository(unit.session, unit.tenant_id)
        self._stores = StoreRepository(unit.session, unit.tenant_id)

    async def list_products(
        self, store_id: uuid.UUID, *, page: int = 1, per_page: int = 50, q: str | None = None
    ) -> ProductList:
        """One page of the store's products, ordered by name then id. `q` keeps the products
        whose name or SKU contains it, ignoring case; `%` and `_` in it match themselves.
        `page` counts from 1 (past the end: no items); `per_page` is 1 to 200."""
        _check_paging(page, per_page)
        query = _clean_query(q)
        await self._require_store(store_id)
        offset = (page - 1) * per_page
        rows = await self._products.page(store_id, offset=offset, limit=per_page, query=query)
        if 0 < len(rows) < per_page or (not rows and offset == 0):
            total = offset + len(rows)  # a short page is the last one: no count needed
        else:
            total = await self._products.count(store_id, query=query)
        return ProductList(
            items=[ProductRead.model_validate(row) for row in rows],
            total=total,
            page=page,
            per_page=per_page,
        )

    async def get_product(self, store_id: uuid.UUID, platform_product_id: str) -> ProductDetail:
        """One product with its full synced document; `NotFound` if the store or the product
        is unknown."""
        await self._require_store(store_id)
        # An id with NUL cannot exist (ingest drops NUL), and PostgreSQL would refuse the query.
        row = (
            None
            if "\x00" in platform_product_id
            else await self._products.by_platform_id(store_id, platform_product_id)
        )
        if row is None:
            raise NotFound(
                f"The store has no product with id {platform_product_id!r} (as of its last sync).",
                code="product_not_found",
                details={"store_id": str(store_id), "platform_product_id": platform_product_id},
            )
        return ProductDetail.model_validate(row)

    async def _require_store(self, store_id: uuid.UUID) -> None:
        await self._stores.get_or_raise(store_id)


def _check_paging(page: int, per_page: int) -> None:
    problems: dict[str, str] = {}
    if not 1 <= page <= MAX_PAGE:
        problems["page"] = f"must be between 1 and {MAX_PAGE}"
    if not 1 <= per_page <= MAX_PER_PAGE:
        problems["per_page"] = f"must be between 1 and {MAX_PER_PAGE}"
    if problems:
        listed = "; ".join(f"{field} {problem}" for field, problem in problems.items())
        raise InvalidInput(f"Invalid paging: {listed}.", code="invalid_paging", details=problems)


def _clean_query(q: str | None) -> str | None:
    # PostgreSQL refuses NUL in text parameters; no product name or SKU holds one (ingest drops
    # them), so removing it changes no match.
    query = (q or "").replace("\x00", "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            f"The search is too long: use at most {MAX_QUERY_LENGTH} characters.",
            code="invalid_search",
            details={"q": f"at most {MAX_QUERY_LENGTH} characters"},
        )
    return query or None
