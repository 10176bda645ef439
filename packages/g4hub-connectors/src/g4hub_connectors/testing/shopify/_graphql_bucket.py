"""The GraphQL Admin API's cost bucket, per plan, in the fake store."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["GRAPHQL_PLANS", "PointBucket"]

GRAPHQL_PLANS: dict[str, tuple[float, float]] = {
    # plan: (bucket size in points, restore rate per second); shopify.dev "GraphQL Admin API
    # rate limits" gives the restore rates, and the bucket holds ten seconds of them.
    "standard": (1_000.0, 100.0),
    "advanced": (2_000.0, 200.0),
    "plus": (10_000.0, 1_000.0),
}


class PointBucket:
    """The cost bucket of one app on one store, driven by the store's clock."""

    def __init__(self, maximum: float, restore: float, clock: Any) -> None:
        self.maximum = maximum
        self.restore = restore
        self._clock = clock
        self._available = maximum
        self._at = clock()
        self.throttled = 0
        self.spent = 0.0
        self.lowest = maximum

    def available(self) -> float:
        now = self._clock()
        self._available = min(self.maximum, self._available + (now - self._at) * self.restore)
        self._at = now
        return self._available

    def take(self, cost: float) -> bool:
        if self.available() + 1e-9 < cost:
            self.throttled += 1
            return False
        self._available -= cost
        self.lowest = min(self.lowest, self._available)
        return True

    def refund(self, points: float) -> None:
        self._available = min(self.maximum, self._available + points)

    def status(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": math.floor(self.available()),
            "restoreRate": self.restore,
        }
