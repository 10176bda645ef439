"""Client-side model of the GraphQL Admin API's cost bucket, so listings wait before a query that
would be throttled instead of collecting `THROTTLED` answers.

Shopify charges each query its `requestedQueryCost` up front and refunds the difference to the
`actualQueryCost` afterwards; the bucket holds `maximumAvailable` points and refills at
`restoreRate` points per second (Standard 100/s, Advanced 200/s, Plus 1,000/s; shopify.dev,
"GraphQL Admin API rate limits"). Every answer reports `extensions.cost.throttleStatus`; the pacer
takes that as the truth, lets it refill with the clock, and before a query waits exactly long
enough for the query's requested cost to fit. A query alone may cost at most 1,000 points.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ["MAX_QUERY_COST", "CostPacer", "ThrottleStatus"]

logger = logging.getLogger("g4hub_connectors.shopify_graphql.pacing")

MAX_QUERY_COST = 1_000
"""Shopify refuses a single query whose requested cost is above this (`MAX_COST_EXCEEDED`)."""

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class ThrottleStatus:
    maximum: float
    available: float
    restore_rate: float


class CostPacer:
    """Waits before each query until its requested cost fits in the bucket.

    Until the first answer it assumes the Standard plan's bucket (1,000 points, 100/s), the
    smallest there is. `planned_wait` sums the waits it asked for; `throttled_answers` counts the
    `THROTTLED` answers it was told about (both for tests and benchmarks).
    """

    def __init__(
        self,
        *,
        maximum: float = 1_000.0,
        restore_rate: float = 100.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.maximum = maximum
        self.restore_rate = restore_rate
        self._clock = clock
        self._sleep = sleep
        self._available = maximum
        self._at = clock()
        self._lock = asyncio.Lock()
        self.planned_wait = 0.0
        self.throttled_answers = 0

    def available(self) -> float:
        """Points estimated to be available now."""
        return self._available_at(self._clock())

    def _available_at(self, now: float) -> float:
        return min(self.maximum, self._available + (now - self._at) * self.restore_rate)

    def wait_for(self, cost: float) -> float:
        """Seconds until `cost` points are available (0 when they are)."""
        missing = min(cost, self.maximum) - self.available()
        return max(missing / self.restore_rate, 0.0)

    async def reserve(self, cost: float) -> None:
        """Wait until `cost` points fit, then count them as spent until the answer says better."""
        async with self._lock:
            while True:
                wait = self.wait_for(cost)
                # Below a millisecond is rounding between our clock and Shopify's.
                if wait <= 1e-3:
                    break
                self.planned_wait += wait
                logger.debug("pacing: %.0f points needed, waiting %.2f s", cost, wait)
                await self._sleep(wait)
            now = self._clock()
            self._available = self._available_at(now) - cost
            self._at = now

    def observe(self, status: ThrottleStatus) -> None:
        """Take in an answer's `throttleStatus` (after its refund, so it is the truth now)."""
        self.maximum = status.maximum
        self.restore_rate = max(status.restore_rate, 1e-6)
        self._available = status.available
        self._at = self._clock()

    def throttled(self, status: ThrottleStatus | None, cost: float) -> float:
        """A `THROTTLED` answer: the seconds to wait before trying `cost` again."""
        self.throttled_answers += 1
        if status is not None:
            self.observe(status)
        else:
            self._available = 0.0
            self._at = self._clock()
        return self.wait_for(cost)
