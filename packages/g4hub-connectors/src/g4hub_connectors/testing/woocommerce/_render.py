"""Renders the fake WooCommerce store's catalog as wc/v3 JSON, key for key like the real API.

`WooProduct` is the store's mutable record of one product (built from a `SeedProduct`); the
`render_*` functions turn it into the dicts WooCommerce returns, with every key a wc/v3 product
has, dates in the site's local time and in GMT, `_links`, and the keys plugins inject.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from g4hub_connectors.testing._catalog import SeedProduct, SeedVariant

__all__ = ["Site", "WooProduct", "effective_price", "render_product", "render_variation"]

_CATEGORIES = [
    (15, "Uncategorized", "uncategorized"),
    (16, "Clothing", "clothing"),
    (17, "Kitchen & Home", "kitchen-home"),
    (18, "Café ☕", "cafe"),
    (19, "文房具", "stationery"),
]
_ATTRIBUTE_NAMES = {"S": "Size", "Red": "Colour", "250 g": "Weight"}


@dataclass(frozen=True)
class Site:
    """Where the store answers, as its JSON shows it."""

    home: str
    """`home_url()`: scheme, host, port and install path, no trailing slash."""
    rest_root: str
    """What routes are appended to: `{home}/wp-json` or `{home}/index.php?rest_route=`."""
    currency_symbol: str
    utc_offset: timedelta


@dataclass
class WooProduct:
    """The store's record of a product: the seed's data plus WooCommerce-only state."""

    seed: SeedProduct
    product_id: int
    variation_ids: list[int]
    status: str
    type: str
    backorders: str
    stock_status_override: str | None = None
    extra_meta: dict[str, Any] = field(default_factory=dict)
    variation_modified: dict[int, datetime] = field(default_factory=dict)
    """Variations edited on their own, by id: their `date_modified` (the parent's is not
    touched: WooCommerce keeps the two dates apart)."""

    def variation_updated_at(self, variation_id: int) -> datetime:
        return self.variation_modified.get(variation_id, self.seed.updated_at)

    @classmethod
    def from_seed(cls, seed: SeedProduct, product_id: int, variation_ids: list[int]) -> WooProduct:
        index = seed.index
        status = {"active": "publish", "archived": "private"}.get(seed.status, "draft")
        if seed.status == "draft" and index % 3 == 0:
            status = "pending"
        kind = "variable" if seed.variants else "external" if index % 53 == 7 else "simple"
        stock_override = None
        if not seed.manage_stock:
            stock_override = "outofstock" if index % 13 == 0 else None
            stock_override = "onbackorder" if index % 29 == 0 else stock_override
        return cls(
            seed=seed,
            product_id=product_id,
            variation_ids=variation_ids,
            status=status,
            type=kind,
            backorders="notify" if index % 4 == 0 else "no",
            stock_status_override=stock_override,
        )

    def copy(self) -> WooProduct:
        return copy.deepcopy(self)

    @property
    def stock_status(self) -> str:
        if self.seed.manage_stock:
            if (self.seed.stock or 0) > 0:
                return "instock"
            return "outofstock" if self.backorders == "no" else "onbackorder"
        return self.stock_status_override or "instock"


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def effective_price(regular: str, sale: str) -> str:
    """WooCommerce's `_price`: the sale price while it is below the regular price."""
    regular_amount, sale_amount = _decimal(regular), _decimal(sale)
    if sale_amount is not None and (regular_amount is None or sale_amount < regular_amount):
        return sale
    return regular


def _on_sale(regular: str, sale: str) -> bool:
    regular_amount, sale_amount = _decimal(regular), _decimal(sale)
    return sale_amount is not None and regular_amount is not None and sale_amount < regular_amount


def _dates(when: datetime, offset: timedelta) -> tuple[str, str]:
    gmt = when.astimezone(UTC).replace(tzinfo=None)
    return (gmt + offset).isoformat(timespec="seconds"), gmt.isoformat(timespec="seconds")


def _amount_html(amount: str, symbol: str) -> str:
    return (
        '<span class="woocommerce-Price-amount amount"><bdi><span '
        f'class="woocommerce-Price-currencySymbol">{symbol}</span>{amount}</bdi></span>'
    )


def _price_html(price: str, regular: str, sale: str, symbol: str, low: str, high: str) -> str:
    if low and high and low != high:
        return f"{_amount_html(low, symbol)} &ndash; {_amount_html(high, symbol)}"
    if _on_sale(regular, sale):
        return (
            f'<del aria-hidden="true">{_amount_html(regular, symbol)}</del> '
            f'<ins aria-hidden="true">{_amount_html(sale, symbol)}</ins>'
        )
    return _amount_html(price, symbol) if price else ""


def _option_name(seed: SeedProduct) -> str:
    first = seed.variants[0].title if seed.variants else ""
    return _ATTRIBUTE_NAMES.get(first, "Size" if first in ("M", "L", "XL") else "Option")


def _image(site: Site, seed: SeedProduct, number: int, created: tuple[str, str]) -> dict[str, Any]:
    slug = f"{seed.slug}-{number}"
    return {
        "id": 100_000 + seed.index * 4 + number,
        "date_created": created[0],
        "date_created_gmt": created[1],
        "date_modified": created[0],
        "date_modified_gmt": created[1],
        "src": f"{site.home}/wp-content/uploads/2024/01/{slug}.jpg",
        "name": slug,
        "alt": "",
    }


def _links(site: Site, route: str, collection: str, up: str | None = None) -> dict[str, Any]:
    links: dict[str, Any] = {
        "self": [
            {
                "href": f"{site.rest_root}/wc/v3/{route}",
                "targetHints": {"allow": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
            }
        ],
        "collection": [{"href": f"{site.rest_root}/wc/v3/{collection}"}],
    }
    if up is not None:
        links["up"] = [{"href": f"{site.rest_root}/wc/v3/{up}"}]
    return links


def render_product(product: WooProduct, site: Site) -> dict[str, Any]:
    """The product as `GET /wc/v3/products/{id}` returns it (about 3 KB of JSON)."""
    seed = product.seed
    index = seed.index
    created = _dates(seed.created_at, site.utc_offset)
    modified = _dates(seed.updated_at, site.utc_offset)
    variable = product.type == "variable"
    prices = [v.price for v in seed.variants if v.price]
    low = min(prices, key=Decimal) if prices else ""
    high = max(prices, key=Decimal) if prices else ""
    price = low if variable else seed.price
    regular = "" if variable else seed.regular_price
    sale = "" if variable else seed.sale_price
    external = product.type == "external"
    category = _CATEGORIES[index % len(_CATEGORIES)]
    data: dict[str, Any] = {
        "id": product.product_id,
        "name": seed.name,
        "slug": seed.slug,
        "permalink": f"{site.home}/product/{seed.slug}/",
        "date_created": created[0],
        "date_created_gmt": created[1],
        "date_modified": modified[0],
        "date_modified_gmt": modified[1],
        "type": product.type,
        "status": product.status,
        "featured": index % 17 == 0,
        "catalog_visibility": "visible",
        "description": seed.description,
        "short_description": f"<p>{seed.name}</p>\n",
        "sku": seed.sku,
        "price": price,
        "regular_price": regular,
        "sale_price": sale,
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": _on_sale(regular, sale),
        "purchasable": bool(price) and product.status == "publish" and not external,
        "total_sales": (index * 7) % 131,
        "virtual": False,
        "downloadable": False,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "external_url": f"https://partner.example/item/{index}" if external else "",
        "button_text": "Buy at our partner" if external else "",
        "tax_status": "taxable",
        "tax_class": "",
        "manage_stock": seed.manage_stock,
        "stock_quantity": seed.stock if seed.manage_stock else None,
        "backorders": product.backorders,
        "backorders_allowed": product.backorders != "no",
        "backordered": False,
        "low_stock_amount": None,
        "sold_individually": False,
        "weight": f"{(index % 40) / 10:g}" if index % 3 else "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_required": True,
        "shipping_taxable": True,
        "shipping_class": "",
        "shipping_class_id": 0,
        "reviews_allowed": True,
        "average_rating": "0.00" if index % 5 else "4.50",
        "rating_count": 0 if index % 5 else 2,
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": 0,
        "purchase_note": "",
        "categories": [{"id": category[0], "name": category[1], "slug": category[2]}],
        "brands": [],
        "tags": [],
        "images": [_image(site, seed, n, created) for n in range(seed.image_count)],
        "attributes": [],
        "default_attributes": [],
        "variations": list(product.variation_ids),
        "grouped_products": [],
        "menu_order": 0,
        "price_html": _price_html(price, regular, sale, site.currency_symbol, low, high),
        "related_ids": [10 + (index + k) % 97 for k in (1, 2, 3)],
        "meta_data": [
            {"id": 500_000 + index * 3, "key": "_last_editor_used_jetpack", "value": "classic"},
            {"id": 500_001 + index * 3, "key": "_yoast_wpseo_focuskw", "value": seed.name},
            *(
                {"id": 500_002 + index * 3, "key": k, "value": v}
                for k, v in product.extra_meta.items()
            ),
        ],
        "stock_status": product.stock_status,
        "has_options": variable,
        "post_password": "",
        "global_unique_id": "",
        # Keys plugins add to every product response (Jetpack, Yoast SEO, ACF, …).
        "jetpack_sharing_enabled": True,
        "jetpack_likes_enabled": index % 2 == 0,
    }
    if variable:
        data["attributes"] = [
            {
                "id": 0,
                "name": _option_name(seed),
                "slug": _option_name(seed).lower(),
                "position": 0,
                "visible": True,
                "variation": True,
                "options": [v.title for v in seed.variants],
            }
        ]
    if index % 4 == 0:
        data["yoast_head"] = (
            f'<title>{seed.name} - Fake Store</title>\n<meta name="robots" content="index, '
            f'follow" />\n<link rel="canonical" href="{site.home}/product/{seed.slug}/" />\n'
        )
        data["yoast_head_json"] = {"title": f"{seed.name} - Fake Store", "og_type": "article"}
    if index % 9 == 0:
        data["acf"] = []
        data["wcpa_form_fields"] = None
    data["_links"] = _links(site, f"products/{product.product_id}", "products")
    return data


def render_variation(
    product: WooProduct, variant: SeedVariant, variation_id: int, site: Site
) -> dict[str, Any]:
    """A variation as `GET /wc/v3/products/{id}/variations/{vid}` returns it."""
    seed = product.seed
    created = _dates(seed.created_at, site.utc_offset)
    modified = _dates(product.variation_updated_at(variation_id), site.utc_offset)
    parent_manages = seed.manage_stock and not variant.manage_stock
    manage: bool | str = "parent" if parent_manages else variant.manage_stock
    stock = variant.stock if variant.manage_stock else seed.stock if parent_manages else None
    in_stock = stock is None or stock > 0
    regular, sale = variant.regular_price, variant.sale_price
    return {
        "id": variation_id,
        "type": "variation",
        "date_created": created[0],
        "date_created_gmt": created[1],
        "date_modified": modified[0],
        "date_modified_gmt": modified[1],
        "description": "",
        "permalink": f"{site.home}/product/{seed.slug}/?attribute_pa_option={variant.index}",
        "sku": variant.sku,
        "global_unique_id": "",
        "price": variant.price,
        "regular_price": regular,
        "sale_price": sale,
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": _on_sale(regular, sale),
        "status": "publish" if product.status != "private" else "private",
        "purchasable": bool(variant.price),
        "virtual": False,
        "downloadable": False,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "tax_status": "taxable",
        "tax_class": "",
        "manage_stock": manage,
        "stock_quantity": stock,
        "stock_status": "instock" if in_stock else "outofstock",
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "low_stock_amount": None,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_class": "",
        "shipping_class_id": 0,
        "image": None,
        "attributes": [{"id": 0, "name": _option_name(seed), "option": variant.title}],
        "menu_order": variant.index + 1,
        "meta_data": [],
        "name": f"{seed.name} - {variant.title}",
        "parent_id": product.product_id,
        "_links": _links(
            site,
            f"products/{product.product_id}/variations/{variation_id}",
            f"products/{product.product_id}/variations",
            up=f"products/{product.product_id}",
        ),
    }
