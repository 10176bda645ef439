"""The fake Shopify store's rules: API versions, the leaky bucket, plans, and product listings
(filters and `page_info` cursors)."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from g4hub_connectors.testing.shopify._catalog import Catalog, product_id, product_index

PAGINATION_GUIDE = "See https://shopify.dev/api/usage/pagination-rest for more information."
DEPRECATION_REASON = "https://shopify.dev/api/usage/versioning#deprecation-practices"
MAX_LIMIT = 250
DEFAULT_LIMIT = 50

# Leak rates are Shopify's documented REST limits (shopify.dev, "REST Admin API rate limits":
# 2/s Standard, 4/s Advanced, 20/s Plus). The docs give no bucket sizes beyond the standard 40;
# 80 and 400 are what stores on those plans report, 20 seconds of leak like the standard one.
PLANS: dict[str, tuple[str, str, int, float]] = {
    # plan: (shop.json plan_name, plan_display_name, bucket size, leak per second)
    "standard": ("basic", "Basic", 40, 2.0),
    "advanced": ("advanced", "Advanced", 80, 4.0),
    "plus": ("shopify_plus", "Shopify Plus", 400, 20.0),
}
PLAN_ALIASES = {"basic": "standard", "shopify": "standard", "unlimited": "advanced"}


def next_quarter(version: str) -> str:
    year, month = int(version[:4]), int(version[5:7]) + 3
    if month > 12:
        month -= 12
        year += 1
    return f"{year:04d}-{month:02d}"


def is_quarterly(version: str) -> bool:
    return (
        len(version) == 7
        and version[4] == "-"
        and version[:4].isdigit()
        and version[5:] in ("01", "04", "07", "10")
    )


@dataclass(frozen=True)
class Versions:
    """Which versions the store serves: stable ones, the release candidate and `unstable`."""

    stable: tuple[str, ...]

    def resolve(self, requested: str) -> tuple[str, bool] | None:
        """`(served, fell_forward)`, or `None` when Shopify answers 404 for this version."""
        candidate = next_quarter(self.stable[-1])
        if requested in self.stable or requested in (candidate, "unstable"):
            return requested, False
        # An old version is served by the oldest supported one; a future or malformed one is not.
        if is_quarterly(requested) and requested < self.stable[0]:
            return self.stable[0], True
        return None


class Bucket:
    """Shopify's leaky bucket for one app on one store, driven by `clock` (never by sleeping)."""

    def __init__(self, size: int, leak_rate: float, clock: Callable[[], float]) -> None:
        self.size = size
        self.leak_rate = leak_rate
        self._clock = clock
        self._level = 0.0
        self._at = clock()
        self.rejected = 0
        self.peak = 0.0

    def level(self) -> float:
        now = self._clock()
        self._level = max(0.0, self._level - (now - self._at) * self.leak_rate)
        self._at = now
        return self._level

    def take(self) -> bool:
        """Count a request; False (and nothing counted) when it would overflow."""
        if self.level() + 1.0 > self.size + 1e-9:
            self.rejected += 1
            return False
        self._level += 1.0
        self.peak = max(self.peak, self._level)
        return True

    def header(self) -> str:
        # Whole requests: a partly leaked one still counts, as marbles do.
        return f"{max(math.ceil(self.level() - 1e-6), 0)}/{self.size}"

    def message(self) -> str:
        rate = f"{self.leak_rate:g}"
        return (
            f"Exceeded {rate} calls per second for api client. "
            "Reduce request rates to resume uninterrupted service."
        )


class ListingError(Exception):
    """A 400 with Shopify's `errors` body."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _time(name: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ListingError({name: "Invalid value."}) from None
    # Shopify reads a time without offset in the shop's zone; UTC is close enough for a fake.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class Filters:
    ids: frozenset[int] | None = None
    since_id: int | None = None
    statuses: frozenset[str] | None = None
    updated_min: datetime | None = None
    updated_max: datetime | None = None
    created_min: datetime | None = None
    created_max: datetime | None = None

    @classmethod
    def parse(cls, params: dict[str, str]) -> Filters:
        filters = cls()
        if "ids" in params:
            indexes = [product_index(part.strip()) for part in params["ids"].split(",") if part]
            filters.ids = frozenset(i for i in indexes if i is not None)
        if "since_id" in params:
            try:
                since = int(params["since_id"])
            except ValueError:
                raise ListingError({"since_id": "Invalid value."}) from None
            filters.since_id = since
        if "status" in params:
            statuses = frozenset(s.strip() for s in params["status"].split(",") if s.strip())
            if not statuses <= {"active", "draft", "archived"}:
                raise ListingError({"status": "Invalid value."})
            filters.statuses = statuses
        for key, attr in (
            ("updated_at_min", "updated_min"),
            ("updated_at_max", "updated_max"),
            ("created_at_min", "created_min"),
            ("created_at_max", "created_max"),
        ):
            if key in params:
                setattr(filters, attr, _time(key, params[key]))
        return filters

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.ids is not None:
            data["ids"] = sorted(self.ids)
        if self.since_id is not None:
            data["since_id"] = self.since_id
        if self.statuses is not None:
            data["status"] = sorted(self.statuses)
        for attr in ("updated_min", "updated_max", "created_min", "created_max"):
            value = getattr(self, attr)
            if value is not None:
                data[attr] = value.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Filters:
        filters = cls()
        if "ids" in data:
            filters.ids = frozenset(int(i) for i in data["ids"])
        if "since_id" in data:
            filters.since_id = int(data["since_id"])
        if "status" in data:
            filters.statuses = frozenset(data["status"])
        for attr in ("updated_min", "updated_max", "created_min", "created_max"):
            if attr in data:
                setattr(filters, attr, datetime.fromisoformat(data[attr]))
        return filters

    def matches(self, catalog: Catalog, index: int) -> bool:
        if self.ids is not None and index not in self.ids:
            return False
        if self.since_id is not None and product_id(index) <= self.since_id:
            return False
        if (
            self.statuses is None
            and self.updated_min is None
            and self.updated_max is None
            and self.created_min is None
            and self.created_max is None
        ):
            return True
        created, updated, status = catalog.meta(index)
        if self.statuses is not None and status not in self.statuses:
            return False
        # Shopify's bounds are inclusive, and compare whole seconds.
        if self.updated_min is not None and updated < self.updated_min:
            return False
        if self.updated_max is not None and updated > self.updated_max:
            return False
        if self.created_min is not None and created < self.created_min:
            return False
        return not (self.created_max is not None and created > self.created_max)

    def scan(self, catalog: Catalog, start: int, step: int) -> Iterator[int]:
        """Matching live indexes from `start` (inclusive) upwards (`step` 1) or downwards (-1)."""
        index = start
        while 0 <= index < catalog.size:
            if index not in catalog.deleted and self.matches(catalog, index):
                yield index
            index += step


def encode_page_info(direction: str, last_index: int, title: str, filters: Filters) -> str:
    data = {
        "direction": direction,
        "last_id": product_id(last_index),
        "last_value": title,
        **({"filters": filters.to_json()} if filters.to_json() else {}),
    }
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_info(value: str) -> tuple[str, int, Filters]:
    """`(direction, index of the product the page starts after, filters)`."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        data = json.loads(raw)
        direction = data["direction"]
        index = product_index(data["last_id"])
        filters = Filters.from_json(data.get("filters", {}))
    except (ValueError, KeyError, TypeError):
        raise ListingError({"page_info": "Invalid value."}) from None
    if direction not in ("next", "prev") or index is None:
        raise ListingError({"page_info": "Invalid value."})
    return direction, index, filters


def parse_limit(params: dict[str, str]) -> int:
    text = params.get("limit")
    if text is None:
        return DEFAULT_LIMIT
    try:
        limit = int(text)
    except ValueError:
        raise ListingError({"limit": "Invalid value."}) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ListingError({"limit": f"must be between 1 and {MAX_LIMIT}"})
    return limit


def check_page_info_params(params: dict[str, str]) -> None:
    """With `page_info`, Shopify takes only `limit` and `fields` beside it."""
    for name in params:
        if name not in ("page_info", "limit", "fields"):
            raise ListingError(
                {name: f"{name} cannot be passed when page_info is present. {PAGINATION_GUIDE}"}
            )
