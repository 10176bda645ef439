"""Sign-in throttling: failed attempts per client address and per email, in a sliding window.

    throttle = LoginThrottle(per_email=10)                 # per minute; per address the same
    with throttle.attempt(address="203.0.113.7", email="a@example.com", failures=AccessDenied):
        user = await authenticate(...)                     # raises LoginThrottled when over

An attempt takes its slot in both windows *before* the password is checked and gives it back
when it did not fail. So a burst of parallel guesses cannot all pass the check while the first
ones are still hashing: only `per_email` of them are ever in flight or counted.

A success clears the email's window (its owner is back) but not the address's: otherwise one
valid account would let an address keep guessing at others.

The windows live in this process's memory. With several processes (or machines) behind a load
balancer each counts on its own, so an attacker gets the limit once per process; such a
deployment should keep the windows in a shared store (Redis, with a sorted set per key, fits).
The client address is the one the server reports: behind a reverse proxy, run uvicorn with
`--proxy-headers` and `--forwarded-allow-ips` so it is the client's, not the proxy's.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from g4hub_core import InvalidInput
from g4hub_core.tenants.emails import normalize_email

__all__ = ["LoginThrottle", "LoginThrottled"]

Clock = Callable[[], float]
_Key = tuple[str, str]


class LoginThrottled(Exception):
    """Too many failed sign-ins; `retry_after` is the whole seconds until one more is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"sign-in throttled for {retry_after}s")
        self.retry_after = retry_after


class LoginThrottle:
    """`per_email` (and `per_address`, default the same) failed attempts per `window` seconds.

    `clock` is a monotonic seconds clock (tests pass their own). At most `max_keys` addresses and
    emails are tracked; past that, the least recently started windows are forgotten first, so a
    flood of made-up emails cannot exhaust memory (it can only make the hub forget older ones).
    """

    def __init__(
        self,
        per_email: int,
        per_address: int | None = None,
        *,
        window: float = 60.0,
        clock: Clock = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if per_email < 1 or (per_address is not None and per_address < 1) or window <= 0:
            raise ValueError("limits must be at least 1 and the window positive")
        self._limits = {"email": per_email, "address": per_address or per_email}
        self.window = window
        self.clock = clock
        self._max_keys = max_keys
        self._hits: dict[_Key, deque[float]] = {}

    def __repr__(self) -> str:
        return f"LoginThrottle(limits={self._limits}, window={self.window})"

    @contextmanager
    def attempt(
        self,
        *,
        address: str,
        email: str,
        failures: type[BaseException] | tuple[type[BaseException], ...],
    ) -> Iterator[None]:
        """Count one sign-in attempt. Raises `LoginThrottled` when the address or the email is
        over its limit. The attempt counts as failed when the block raises one of `failures`;
        it succeeded when the block returns; any other exception takes it back."""
        keys = [("address", address), ("email", _email_key(email))]
        now = self.clock()
        wait = max(self._wait(key, now) for key in keys)
        if wait > 0:
            raise LoginThrottled(max(1, math.ceil(wait)))
        for key in keys:
            self._window(key).append(now)
        try:
            yield
        except failures:
            raise
        except BaseException:
            for key in keys:
                self._take_back(key, now)
            raise
        self._hits.pop(keys[1], None)
        self._take_back(keys[0], now)

    def _wait(self, key: _Key, now: float) -> float:
        """Seconds until `key` may try again; 0 when it may now."""
        hits = self._hits.get(key)
        if hits is None:
            return 0.0
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return 0.0
        if len(hits) < self._limits[key[0]]:
            return 0.0
        return hits[0] + self.window - now

    def _window(self, key: _Key) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self._max_keys:
                self._forget_old()
            hits = self._hits[key] = deque()
        return hits

    def _take_back(self, key: _Key, at: float) -> None:
        hits = self._hits.get(key)
        if hits is not None and at in hits:
            hits.remove(at)
            if not hits:
                del self._hits[key]

    def _forget_old(self) -> None:
        now = self.clock()
        stale = [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]
        for key in stale:
            del self._hits[key]
        # Still full: drop the oldest-created windows (dicts keep insertion order).
        excess = len(self._hits) - self._max_keys + 1
        for key in list(self._hits)[: max(0, excess)]:
            del self._hits[key]


def _email_key(raw: str) -> str:
    # The core's normal form, so "Alice@X.com " and "alice@x.com" share one window.
    try:
        return normalize_email(raw)
    except InvalidInput:
        return raw.strip().casefold()
