"""Client-side model of Shopify's REST leaky bucket, so long listings slow down before a 429.

Shopify counts every REST request of an app on a store in a bucket that leaks at a steady rate:
2 requests/s on the standard plans, 4 on Advanced, 20 on Plus (shopify.dev, "REST Admin API rate
limits"). Every answer reports the level as `X-Shopify-Shop-Api-Call-Limit: used/size`. The docs
give the leak rates, not the sizes; stores report 40 on the standard plans, and the sizes seen for
the larger plans (80, 400) hold the same 20 seconds of leak. So the pacer reads the size from the
header and, unless told otherwise, assumes the bucket drains in 20 seconds.

The pacer keeps its own estimate of the level (each request adds one, the level leaks with the
clock) and, before a request, waits exactly long enough that the request fits. Each answer's header
resets the estimate: the reported level, leaked since the request left, plus the requests sent
after it (the store may not have counted them yet). So other processes of the same app on the same
store slow this one down, and a bucket that leaks faster than assumed speeds it up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ["DEFAULT_BUCKET_SIZE", "DRAIN_SECONDS", "LeakyBucketPacer", "Slot", "parse_call_limit"]

logger = logging.getLogger("g4hub_connectors.shopify.pacing")

DEFAULT_BUCKET_SIZE = 40
DRAIN_SECONDS = 20.0
"""A full bucket empties in this many seconds on every plan (40 at 2/s, 80 at 4/s, 400 at 20/s)."""

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Slot:
    """A request's place in the bucket: when it was sent and how many went before it."""

    sent_at: float
    seq: int


def parse_call_limit(value: str | None) -> tuple[int, int] | None:
    """`"32/40"` → `(32, 40)`; `None` for a missing or malformed header."""
    if not value:
        return None
    used, sep, size = value.partition("/")
    if not sep:
        return None
    try:
        used_n, size_n = int(used.strip()), int(size.strip())
    except ValueError:
        return None
    if size_n <= 0 or used_n < 0:
        return None
    return used_n, size_n


class LeakyBucketPacer:
    """Waits before each request so that the store's bucket never overflows.

    - `size`: the bucket's capacity until a header says otherwise.
    - `leak_rate`: requests per second leaving the bucket; `None` derives it from the size
      (size / `DRAIN_SECONDS`), re-derived whenever the header reports a new size.
    - `headroom`: slots kept free. The header counts whole requests and the store's clock is not
      ours; two slots absorb both, and cost one second once per listing, not a slower pace.
    - `clock` and `sleep` are injectable so tests can run a long listing in no time.

    Requests from one connector share one pacer; the lock makes waiting requests queue in order.
    `planned_wait` is the total time the pacer has asked to wait (for tests and metrics).
    """

    def __init__(
        self,
        *,
        size: int = DEFAULT_BUCKET_SIZE,
        leak_rate: float | None = None,
        headroom: float = 2.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if leak_rate is not None and leak_rate <= 0:
            raise ValueError("leak_rate must be positive")
        self._fixed_rate = leak_rate
        self.size = size
        self.leak_rate = leak_rate or size / DRAIN_SECONDS
        self.headroom = headroom
        self._clock = clock
        self._sleep = sleep
        self._level = 0.0
        self._at = clock()
        self._lock = asyncio.Lock()
        self.planned_wait = 0.0
        self.requests = 0

    def level(self) -> float:
        """The estimated level now."""
        return self._level_at(self._clock())

    def _level_at(self, now: float) -> float:
        return max(0.0, self._level - (now - self._at) * self.leak_rate)

    def _set_level(self, level: float, now: float) -> None:
        self._level = level
        self._at = now

    async def acquire(self) -> Slot:
        """Wait until one more request fits, count it, and return its slot."""
        async with self._lock:
            while True:
                now = self._clock()
                level = self._level_at(now)
                # At least one slot must fit even in a tiny bucket.
                ceiling = max(self.size - self.headroom, 1.0)
                wait = (level + 1.0 - ceiling) / self.leak_rate
                # Below a microsecond is rounding: waiting it would not move a float clock.
                if wait <= 1e-6:
                    break
                self.planned_wait += wait
                logger.debug("pacing: bucket at %.1f/%d, waiting %.2f s", level, self.size, wait)
                await self._sleep(wait)
            self._set_level(level + 1.0, now)
            self.requests += 1
            return Slot(sent_at=now, seq=self.requests)

    def observe(self, used: int, size: int, slot: Slot) -> None:
        """Take in the `used/size` header of the answer to the request that had `slot`."""
        if size != self.size:
            self.size = size
            if self._fixed_rate is None:
                self.leak_rate = size / DRAIN_SECONDS
        now = self._clock()
        # The store counted the request somewhere between sending and answering; the midpoint is
        # the best guess, and the headroom absorbs the difference.
        in_flight = (now - slot.sent_at) / 2
        sent_since = self.requests - slot.seq
        level = used + sent_since - in_flight * self.leak_rate
        self._set_level(max(level, float(sent_since)), now)

    def throttled(self) -> None:
        """A 429 without a usable header: the bucket is full right now."""
        now = self._clock()
        self._set_level(max(self._level_at(now), float(self.size)), now)
