"""Deterministic generated catalogs, the same for a given size and seed on every machine.

The generator yields platform-neutral `SeedProduct`s; each fake store renders them into its
platform's JSON. It deliberately includes what real catalogs contain and naive code trips on:
unicode names (accents, CJK, emoji, right-to-left), empty prices and SKUs, products without
stock tracking, variable products with several variants, drafts and archived products.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

__all__ = ["SeedProduct", "SeedVariant", "generate_catalog"]

_ADJECTIVES = [
    "Classic",
    "Organic",
    "Vintage",
    "Große",
    "Café",
    "Smörgås",
    "Ñandú",
    "Ultra",
    "Petite",
    "日本の",
    "Ελληνικό",
    "Żółty",
    "Crème",
    "Bright",
    "Handmade",
    "Русский",
    "עברית",
    "🔥 Hot",
]
_NOUNS = [
    "T-Shirt",
    "Mug",
    "Notebook",
    "Backpack",
    "Candle",
    "Sneakers",
    "Tea",
    "Scarf",
    "Lamp",
    "Poster",
    "Hoodie",
    "お茶",
    "Kaffeebecher",
    "Bougie",
    "Tasse ☕",
    "Sac à dos",
    "Ψωμί",
]
_OPTIONS = [["S", "M", "L", "XL"], ["Red", "Blue", "Green"], ["250 g", "500 g", "1 kg"]]
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class SeedVariant:
    index: int
    title: str
    sku: str
    price: str
    regular_price: str
    sale_price: str
    stock: int | None
    manage_stock: bool


@dataclass
class SeedProduct:
    index: int
    """Position in the catalog, from 0; stores derive their platform ids from it."""
    name: str
    slug: str
    sku: str
    """May be "" (platforms allow it)."""
    price: str
    """The current price as the platform's string; may be "" for a product without a price."""
    regular_price: str
    sale_price: str
    stock: int | None
    manage_stock: bool
    status: str
    """Neutral: active, draft, archived."""
    created_at: datetime
    updated_at: datetime
    image_count: int
    description: str
    variants: list[SeedVariant] = field(default_factory=list)

    @property
    def is_variable(self) -> bool:
        return bool(self.variants)


def _money(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(100, 99_999)) / 100


def generate_catalog(size: int, *, seed: int = 1) -> Iterator[SeedProduct]:
    """Yield `size` products; product i is the same for a given seed whatever `size` is."""
    for index in range(size):
        yield make_product(index, seed=seed)


def make_product(index: int, *, seed: int = 1) -> SeedProduct:
    rng = random.Random(seed * 1_000_003 + index)
    name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {index}"
    created = _EPOCH + timedelta(minutes=index * 7)
    updated = created + timedelta(days=rng.randint(0, 300), seconds=rng.randint(0, 86_399))
    roll = rng.random()
    regular = _money(rng)
    on_sale = rng.random() < 0.2
    sale = (regular * Decimal("0.8")).quantize(Decimal("0.01")) if on_sale else None
    manage = rng.random() < 0.7
    stock = rng.randint(0, 500) if manage else None
    variants: list[SeedVariant] = []
    if roll < 0.15:  # Variable products: 2-4 variants with their own SKUs, prices, stock.
        values = rng.choice(_OPTIONS)[: rng.randint(2, 4)]
        for v_index, value in enumerate(values):
            v_price = _money(rng)
            v_manage = rng.random() < 0.8
            variants.append(
                SeedVariant(
                    index=v_index,
                    title=value,
                    sku=f"SKU-{index}-{v_index}" if rng.random() < 0.9 else "",
                    price=str(v_price),
                    regular_price=str(v_price),
                    sale_price="",
                    stock=rng.randint(0, 200) if v_manage else None,
                    manage_stock=v_manage,
                )
            )
    price_text = "" if roll > 0.97 else str(sale or regular)
    status = "active"
    if rng.random() < 0.05:
        status = "draft"
    elif rng.random() < 0.03:
        status = "archived"
    return SeedProduct(
        index=index,
        name=name,
        slug=f"product-{index}",
        sku="" if rng.random() < 0.1 else f"SKU-{index:06d}",
        price=price_text,
        regular_price="" if not price_text else str(regular),
        sale_price="" if not price_text or sale is None else str(sale),
        stock=stock,
        manage_stock=manage,
        status=status,
        created_at=created,
        updated_at=updated,
        image_count=rng.randint(0, 3),
        description=(
            f"<p>{name}: a product generated for tests. "
            + "Lorem ipsum dolor sit amet. " * 8
            + "</p>"
        ),
        variants=variants,
    )
