"""The store page's catalog and history controls: sort, filters, page size and pages, read from
the query string leniently (an odd value falls back to the default rather than failing the page),
and the links that change one control while keeping the others."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from g4hub_core.catalog.service import PRODUCT_STATUSES

__all__ = [
    "HISTORY_PER_PAGE",
    "PAGE_SIZES",
    "SORT_LABELS",
    "STATUS_LABELS",
    "STOCK_LABELS",
    "Listing",
    "page_number",
]

PAGE_SIZES = (20, 50, 100)
HISTORY_PER_PAGE = 10
SORT_LABELS = {
    "name": "Name (A to Z)",
    "-name": "Name (Z to A)",
    "price": "Price (low to high)",
    "-price": "Price (high to low)",
    "-stock": "Stock (most first)",
    "stock": "Stock (least first)",
    "-updated": "Recently updated",
}
STATUS_LABELS = {"": "Any status", **{s: s.title() for s in PRODUCT_STATUSES}}
STOCK_LABELS = {
    "": "Any stock",
    "instock": "In stock",
    "outofstock": "Out of stock",
    "onbackorder": "On backorder",
}


def page_number(text: str | None) -> int:
    """A page number from a query string: 1 for anything that is not a positive number."""
    try:
        return min(max(int(text or "1"), 1), 1_000_000)
    except ValueError:
        return 1


@dataclass(frozen=True)
class Listing:
    """What the catalog shows: search, sort, filters, page size, page, and the history's page."""

    q: str = ""
    sort: str = "name"
    status: str = ""
    stock: str = ""
    per_page: int = PAGE_SIZES[0]
    page: int = 1
    history_page: int = 1

    @classmethod
    def read(cls, params: dict[str, str], max_query: int) -> Listing:
        size = page_number(params.get("per_page"))
        return cls(
            q=(params.get("q") or "").strip()[:max_query],
            sort=params.get("sort", "") if params.get("sort") in SORT_LABELS else "name",
            status=params.get("status", "") if params.get("status") in STATUS_LABELS else "",
            stock=params.get("stock", "") if params.get("stock") in STOCK_LABELS else "",
            per_page=size if size in PAGE_SIZES else PAGE_SIZES[0],
            page=page_number(params.get("page")),
            history_page=page_number(params.get("history")),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.status or self.stock)

    def query(self, **changes: str | int) -> str:
        """This listing's query string (defaults left out) with `changes`, starting with `?`."""
        listing = replace(self, **changes)  # type: ignore[arg-type]
        pairs = {
            "q": listing.q,
            "sort": "" if listing.sort == "name" else listing.sort,
            "status": listing.status,
            "stock": listing.stock,
            "per_page": "" if listing.per_page == PAGE_SIZES[0] else str(listing.per_page),
            "page": "" if listing.page == 1 else str(listing.page),
            "history": "" if listing.history_page == 1 else str(listing.history_page),
        }
        text = urlencode({key: value for key, value in pairs.items() if value})
        return f"?{text}" if text else "?"
