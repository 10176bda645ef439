"""Reading a store's catalog as the hub last synced it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Float, cast

from g4hub_core.catalog.repository import ProductRepository
from g4hub_core.catalog.schemas import ProductDetail, ProductList, ProductRead
from g4hub_core.errors import InvalidInput, NotFound
from g4hub_core.models import StoreProduct
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.unit import UnitOfWork

__all__ = [
    "MAX_PER_PAGE",
    "MAX_QUERY_LENGTH",
    "PRODUCT_SORTS",
    "PRODUCT_STATUSES",
    "STOCK_STATUSES",
    "CatalogService",
]

MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000
"""Pages past this are refused: their offset would overflow the databases' 64-bit integers."""
MAX_QUERY_LENGTH = 200

_COLUMNS: dict[str, Any] = {
    "name": StoreProduct.name,
    # SQLite keeps money as text (exact); ordering needs the number, which a float gives.
    "price": cast(StoreProduct.price, Float),
    "stock": StoreProduct.stock_quantity,
    "updated": StoreProduct.last_updated,
}
PRODUCT_SORTS = (*_COLUMNS, *(f"-{key}" for key in _COLUMNS))
"""Orders a listing may ask for: a column, ascending, or with `-` descending. Products
without a value (no price, untracked stock) come last either way."""
PRODUCT_STATUSES = ("active", "draft", "archived", "other")
STOCK_STATUSES = ("instock", "outofstock", "onbackorder")


class CatalogService:
    """The tenant's synced products, store by store. A store of another tenant does not exist
    here: asking for it raises `NotFound`, exactly as for an unknown id."""

    def __init__(self, unit: UnitOfWork) -> None:
        self._products = ProductRepository(unit.session, unit.tenant_id)
        self._stores = StoreRepository(unit.session, unit.tenant_id)

    async def list_products(
        self,
        store_id: uuid.UUID,
        *,
        page: int = 1,
        per_page: int = 50,
        q: str | None = None,
        sort: str = "name",
        status: str | None = None,
        stock_status: str | None = None,
    ) -> ProductList:
        """One page of the store's products, in `sort` order (one of `PRODUCT_SORTS`), then by
        id. `q` keeps the products whose name or SKU contains it, ignoring case; `%` and `_` in
        it match themselves. `status` (one of `PRODUCT_STATUSES`) and `stock_status` (one of
        `STOCK_STATUSES`) keep only products in that state. `page` counts from 1 (past the end:
        no items); `per_page` is 1 to 200. Anything else is `InvalidInput`."""
        _check_paging(page, per_page)
        query = _clean_query(q)
        where, order_by = _listing(sort, status, stock_status)
        offset = (page - 1) * per_page
        found = await self._products.page(
            store_id, offset=offset, limit=per_page, query=query, where=where, order_by=order_by
        )
        rows = found.rows
        if not rows:
            # Rows come only from the tenant's own store; without any, the store may not be one.
            await self._require_store(store_id)
        if found.total is not None:
            total = found.total
        elif 0 < len(rows) < per_page or (not rows and offset == 0):
            total = offset + len(rows)  # a short page is the last one: no count needed
        else:
            total = await self._products.count(store_id, query=query, where=where)
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


def _listing(
    sort: str, status: str | None, stock_status: str | None
) -> tuple[list[ColumnElement[bool]], list[Any]]:
    problems: dict[str, str] = {}
    if sort not in PRODUCT_SORTS:
        problems["sort"] = f"must be one of {', '.join(PRODUCT_SORTS)}"
    if status is not None and status not in PRODUCT_STATUSES:
        problems["status"] = f"must be one of {', '.join(PRODUCT_STATUSES)}"
    if stock_status is not None and stock_status not in STOCK_STATUSES:
        problems["stock_status"] = f"must be one of {', '.join(STOCK_STATUSES)}"
    if problems:
        listed = "; ".join(f"{field} {problem}" for field, problem in problems.items())
        raise InvalidInput(f"Invalid listing: {listed}.", code="invalid_listing", details=problems)
    where: list[ColumnElement[bool]] = []
    if status is not None:
        where.append(StoreProduct.status == status)
    if stock_status is not None:
        where.append(StoreProduct.stock_status == stock_status)
    column = _COLUMNS[sort.removeprefix("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    return where, [order.nulls_last()]


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
