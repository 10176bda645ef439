"""The fake WooCommerce store's catalog: ids, lazily built product records, edits, filtering.

Product records are made from the generated catalog on demand (and kept only once edited), so a
store of 100,000 products costs almost nothing until it is listed, and listing renders one page
at a time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from g4hub_connectors.testing._catalog import SeedVariant, make_product
from g4hub_connectors.testing.woocommerce._render import WooProduct

__all__ = ["ID_OFFSET", "Catalog"]

ID_OFFSET = 10
"""Product ids are the catalog index plus this: small ints, like a young WordPress site's."""
_MAX_VARIANTS = 4
_CACHE_SIZE = 4096


class Catalog:
    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.seed = seed
        self._variation_base = ID_OFFSET + size
        self._deleted: set[int] = set()
        self._edited: dict[int, WooProduct] = {}
        self._cache: OrderedDict[int, WooProduct] = OrderedDict()
        self._listings: dict[tuple[object, ...], list[int]] = {}
        self.version = 0

    # -- ids ------------------------------------------------------------------------------------

    def index_of(self, product_id: int) -> int | None:
        index = product_id - ID_OFFSET
        if 0 <= index < self.size and index not in self._deleted:
            return index
        return None

    def variation_ids(self, index: int, count: int) -> list[int]:
        # Variation ids follow all product ids, so the two never collide.
        return [self._variation_base + index * _MAX_VARIANTS + n for n in range(count)]

    def variation(self, product: WooProduct, variation_id: int) -> SeedVariant | None:
        if variation_id not in product.variation_ids:
            return None
        return product.seed.variants[product.variation_ids.index(variation_id)]

    # -- records --------------------------------------------------------------------------------

    def get(self, index: int) -> WooProduct:
        """The product at `index`, for reading (do not change it: use `edit`)."""
        edited = self._edited.get(index)
        if edited is not None:
            return edited
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        seed = make_product(index, seed=self.seed)
        record = WooProduct.from_seed(
            seed, index + ID_OFFSET, self.variation_ids(index, len(seed.variants))
        )
        self._cache[index] = record
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return record

    def edit(self, index: int, change: Callable[[WooProduct], None], now: datetime) -> WooProduct:
        record = self._edited.get(index) or self.get(index).copy()
        change(record)
        record.seed.updated_at = now.replace(microsecond=0)
        self._edited[index] = record
        self._changed()
        return record

    def edit_variation(
        self, index: int, variation_id: int, change: Callable[[SeedVariant], None], now: datetime
    ) -> WooProduct:
        """Change one variation as the admin's variation panel or an order's stock reduction
        does: the variation's `date_modified` moves, the parent's does not (WooCommerce keeps
        them apart: woocommerce/woocommerce#9531, #17611), so a parent listing with
        `modified_after` misses the change; `GET /variations` (WooCommerce 10.3+) shows it."""
        record = self._edited.get(index) or self.get(index).copy()
        variant = self.variation(record, variation_id)
        if variant is None:
            raise KeyError(variation_id)
        change(variant)
        record.variation_modified[variation_id] = now.replace(microsecond=0)
        self._edited[index] = record
        self._changed()
        return record

    def variations_modified_after(self, after: datetime | None) -> list[tuple[int, int]]:
        """`(index, variation_id)` of every variation of a listed product (trash excluded),
        modified strictly after `after` (UTC, naive), by ascending variation id."""
        found: list[tuple[int, int]] = []
        for index in range(self.size):
            if index in self._deleted or self._trashed(index):
                continue
            record = self.get(index)
            for variation_id in record.variation_ids:
                modified = record.variation_updated_at(variation_id).replace(tzinfo=None)
                if after is None or modified > after:
                    found.append((index, variation_id))
        found.sort(key=lambda pair: pair[1])
        return found

    def delete(self, index: int) -> None:
        self._deleted.add(index)
        self._edited.pop(index, None)
        self._changed()

    def _changed(self) -> None:
        self.version += 1
        self._listings.clear()

    # -- listing ---------------------------------------------------------------------------------

    def listing(
        self,
        *,
        status: str,
        orderby: str,
        order: str,
        modified_after: datetime | None,
        modified_before: datetime | None,
        local_offset: timedelta | None,
    ) -> list[int]:
        """Indexes matching a collection query, in its order. `local_offset` is set when the
        dates were given in the site's time (`dates_are_gmt` false)."""
        key = (status, orderby, order, modified_after, modified_before, local_offset)
        cached = self._listings.get(key)
        if cached is not None:
            return cached
        indexes = [i for i in range(self.size) if i not in self._deleted]
        if status == "any" and modified_after is None and modified_before is None:
            indexes = [i for i in indexes if not self._trashed(i)]
        else:
            indexes = [
                i
                for i in indexes
                if self._matches(i, status, modified_after, modified_before, local_offset)
            ]
        if orderby in ("title", "slug", "modified"):
            sort_key: Callable[[int], Any] = {
                "title": lambda i: self.get(i).seed.name,
                "slug": lambda i: self.get(i).seed.slug,
                "modified": lambda i: (self.get(i).seed.updated_at, i),
            }[orderby]
            indexes.sort(key=sort_key)
        # Ids, creation dates and catalog order agree, so the other orders need no sorting.
        if order == "desc":
            indexes.reverse()
        self._listings[key] = indexes
        return indexes

    def _trashed(self, index: int) -> bool:
        edited = self._edited.get(index)
        return edited is not None and edited.status == "trash"

    def _matches(
        self,
        index: int,
        status: str,
        after: datetime | None,
        before: datetime | None,
        local_offset: timedelta | None,
    ) -> bool:
        record = self.get(index)
        if status == "any":
            # "any" is every status that shows in searches: the trash does not.
            if record.status == "trash":
                return False
        elif record.status != status:
            return False
        modified = record.seed.updated_at.replace(tzinfo=None)
        if local_offset is not None:
            modified += local_offset
        # WP_Date_Query's "after" and "before" are exclusive.
        if after is not None and not modified > after:
            return False
        return before is None or modified < before
