"""Pydantic models of the GraphQL Admin API's answers, as far as the connector reads them.

Unknown keys are ignored (Shopify adds fields every quarter). Products and variants are
TypedDicts validated in pydantic-core, as the REST payloads are, because a listing validates
millions of variants; the envelope and the small objects are models. Money is Shopify's `Money`
scalar, a decimal string; ids are GIDs (`gid://shopify/Product/123`).
"""

from __future__ import annotations

from typing import Any, Required

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from typing_extensions import TypedDict

__all__ = [
    "BulkOperationPayload",
    "BulkRow",
    "CostPayload",
    "GraphQLError",
    "GraphQLResponse",
    "InventoryItemPayload",
    "PageInfo",
    "ProductNode",
    "ShopInfoPayload",
    "UserError",
    "VariantConnection",
    "VariantNode",
    "bulk_row_adapter",
    "bulk_rows_adapter",
    "gid_number",
    "product_adapter",
    "product_list_adapter",
    "product_page_adapter",
    "variant_page_adapter",
]

_IGNORE = ConfigDict(extra="ignore")


def gid_number(gid: str | None) -> str | None:
    """`"gid://shopify/Product/123"` → `"123"`: the id the REST API and merchants use, so a store
    keeps its rows' identity across REST and GraphQL. `None` for anything else."""
    if not gid:
        return None
    tail = gid.rpartition("/")[2].partition("?")[0]
    return tail if tail.isdigit() and tail.isascii() else None


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PageInfo(TypedDict, total=False):
    __pydantic_config__ = _IGNORE  # type: ignore[misc]
    hasNextPage: bool
    endCursor: str | None


class InventoryItemRef(TypedDict, total=False):
    __pydantic_config__ = _IGNORE  # type: ignore[misc]
    id: Required[str]
    tracked: bool | None


class VariantNode(TypedDict, total=False):
    __pydantic_config__ = _IGNORE  # type: ignore[misc]
    id: Required[str]
    legacyResourceId: str | None
    title: str | None
    sku: str | None
    price: str | None
    compareAtPrice: str | None
    position: int | None
    inventoryQuantity: int | None
    inventoryPolicy: str | None
    """`DENY` (stop selling at zero) or `CONTINUE` (take backorders)."""
    createdAt: str | None
    updatedAt: str | None
    inventoryItem: InventoryItemRef | None


class VariantConnection(TypedDict, total=False):
    __pydantic_config__ = _IGNORE  # type: ignore[misc]
    pageInfo: PageInfo
    nodes: Required[list[VariantNode]]


class ImageRef(TypedDict, total=False):
    __pydantic_config__ = _IGNORE  # type: ignore[misc]
    url: str | None


class MediaNode(TypedDict, total=False):
    __pydantic_config__ = _IGNORE  # type: ignore[misc]
    id: str | None
    mediaContentType: str | None
    image: ImageRef | None


class MediaConnection(TypedDict, total=False):
    __pydantic_config__ = _IGNORE  # type: ignore[misc]
    nodes: list[MediaNode]


class CountRef(TypedDict, total=False):
    __pydantic_config__ = _IGNORE  # type: ignore[misc]
    count: int


class ProductNode(TypedDict, total=False):
    """A product as `ProductFields` selects it (and as a bulk JSONL product line has it, without
    the nested connections)."""

    __pydantic_config__ = _IGNORE  # type: ignore[misc]
    id: Required[str]
    legacyResourceId: str | None
    title: str | None
    status: str | None
    createdAt: str | None
    updatedAt: str | None
    media: MediaConnection | None
    variantsCount: CountRef | None
    variants: VariantConnection | None


class ProductPage(TypedDict, total=False):
    __pydantic_config__ = _IGNORE  # type: ignore[misc]
    pageInfo: Required[PageInfo]
    nodes: Required[list[ProductNode]]


_STRICT = ConfigDict(extra="ignore", strict=True)


class BulkInventoryItem(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    id: Required[str]
    tracked: bool | None


class BulkImage(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    url: str | None


BulkRow = TypedDict(
    "BulkRow",
    {
        "id": Required[str],
        "__parentId": str,
        "legacyResourceId": str | None,
        "title": str | None,
        "status": str | None,
        "createdAt": str | None,
        "updatedAt": str | None,
        "sku": str | None,
        "price": str | None,
        "compareAtPrice": str | None,
        "inventoryQuantity": int | None,
        "inventoryPolicy": str | None,
        "inventoryItem": BulkInventoryItem | None,
        "image": BulkImage | None,
    },
    total=False,
)
"""A line of a bulk JSONL file: a product, a variant or a medium (children carry `__parentId`),
as far as the mapping reads it.

Checked, not converted: a bulk export keeps the decoded rows themselves (every key, in the file's
order, for `raw`), and `bulk_rows_adapter`'s output is only the verdict, thrown away. So the check
is strict (an `Int` sent as `"5"` is refused, not read as 5): a lax one would pass values the kept
row still holds unconverted."""
BulkRow.__pydantic_config__ = _STRICT  # type: ignore[attr-defined]

product_adapter: TypeAdapter[ProductNode] = TypeAdapter(ProductNode)
bulk_row_adapter: TypeAdapter[BulkRow] = TypeAdapter(BulkRow)
bulk_rows_adapter: TypeAdapter[list[BulkRow]] = TypeAdapter(list[BulkRow])
product_list_adapter: TypeAdapter[list[ProductNode]] = TypeAdapter(list[ProductNode])
product_page_adapter: TypeAdapter[ProductPage] = TypeAdapter(ProductPage)
variant_page_adapter: TypeAdapter[VariantConnection] = TypeAdapter(VariantConnection)


class ThrottleStatusPayload(_Model):
    maximumAvailable: float
    currentlyAvailable: float
    restoreRate: float


class CostPayload(_Model):
    requestedQueryCost: float | None = None
    actualQueryCost: float | None = None
    throttleStatus: ThrottleStatusPayload | None = None


class GraphQLError(_Model):
    message: str = ""
    extensions: dict[str, Any] = Field(default_factory=dict)
    path: list[str | int] | None = None

    @property
    def code(self) -> str | None:
        code = self.extensions.get("code")
        return code if isinstance(code, str) else None


class GraphQLResponse(_Model):
    """The envelope: `data`, `errors` (top-level, with `extensions.code`), `extensions.cost`."""

    data: dict[str, Any] | None = None
    errors: list[GraphQLError] = Field(default_factory=list)
    extensions: dict[str, Any] = Field(default_factory=dict)

    def cost(self) -> CostPayload | None:
        raw = self.extensions.get("cost")
        if not isinstance(raw, dict):
            return None
        try:
            return CostPayload.model_validate(raw)
        except ValueError:
            return None


class UserError(_Model):
    field: list[str] | None = None
    message: str = ""
    code: str | None = None


class ShopPlan(_Model):
    displayName: str | None = None
    partnerDevelopment: bool | None = None
    shopifyPlus: bool | None = None


class ShopDomain(_Model):
    host: str | None = None


class Shop(_Model):
    id: str | None = None
    name: str | None = None
    myshopifyDomain: str | None = None
    currencyCode: str | None = None
    ianaTimezone: str | None = None
    primaryDomain: ShopDomain | None = None
    plan: ShopPlan | None = None


class LocationRef(_Model):
    id: str


class ShopInfoPayload(_Model):
    shop: Shop
    location: LocationRef | None = None


class BulkOperationPayload(_Model):
    id: str
    status: str
    """CREATED, RUNNING, COMPLETED, CANCELING, CANCELED, FAILED or EXPIRED."""
    errorCode: str | None = None
    objectCount: int | str | None = None
    rootObjectCount: int | str | None = None
    """Products written so far (`objectCount` counts their variants and media too)."""
    fileSize: int | str | None = None
    url: str | None = None
    partialDataUrl: str | None = None


class QuantityPayload(_Model):
    name: str
    quantity: int | None = None


class InventoryLevelPayload(_Model):
    id: str | None = None
    quantities: list[QuantityPayload] = Field(default_factory=list)

    def available(self) -> int | None:
        return next((q.quantity for q in self.quantities if q.name == "available"), None)


class InventoryItemPayload(_Model):
    id: str
    tracked: bool | None = None
    inventoryLevel: InventoryLevelPayload | None = None
