"""Throttling of sign-in and registration, in sliding windows kept in this process's memory.

    throttle = LoginThrottle(per_account=10, per_address=30)          # per minute
    await throttle.pause(email)                                        # the account alone: slower
    with throttle.attempt(address="203.0.113.7", email="a@example.com", failures=AccessDenied):
        user = await authenticate(...)                                 # raises LoginThrottled

Sign-in failures are counted three ways, and only two of them refuse:
- per client address (any accounts): 429 past `per_address`, against one address guessing at
  many accounts;
- per (address, account): 429 past `per_account`, against one address guessing one password;
- per account (any address): never a refusal, only a delay before the password is checked,
  doubling per failure past `per_account`, up to `delay_max`. A refusal here would let anyone who
  knows an email lock its owner out; a delay costs the owner a second or two and a guesser
  spread over many addresses the same on every guess.

An attempt takes its slot in the refusing windows *before* the password is checked and gives it
back when it did not fail, so a burst of parallel guesses cannot all pass the check while the
first ones are still hashing. A success clears the account's windows (its owner is back) but not
the address's: otherwise one valid account would let an address keep guessing at others.

Each process counts on its own: behind a load balancer with several processes an attacker gets
the limits once per process; such a deployment should keep the windows in a shared store (Redis,
with a sorted set per key). The client address is the one `auth.addresses.client_address`
finds, which believes `X-Forwarded-For` only from the configured proxies.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from g4hub_core import InvalidInput
from g4hub_core.tenants.emails import normalize_email

__all__ = ["LoginThrottle", "LoginThrottled", "RegistrationThrottle", "SlidingWindows"]

Clock = Callable[[], float]


class LoginThrottled(Exception):
    """Too many attempts; `retry_after` is the whole seconds until one more is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"throttled for {retry_after}s")
        self.retry_after = retry_after


class SlidingWindows:
    """Timestamps of events per key, the last `window` seconds of them, at most `limit` counted
    as allowed. At most `max_keys` keys are tracked; past that, finished windows and then the
    oldest-created ones are forgotten, so a flood of made-up keys cannot exhaust memory."""

    def __init__(self, limit: int, window: float, clock: Clock, max_keys: int) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limits must be at least 1 and the window positive")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def count(self, key: str, now: float) -> int:
        hits = self._hits.get(key)
        if hits is None:
            return 0
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return 0
        return len(hits)

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` may have one more event; 0 when it may now."""
        if self.count(key, now) < self.limit:
            return 0.0
        return self._hits[key][0] + self.window - now

    def add(self, key: str, at: float) -> None:
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self._max_keys:
                self._forget_old()
            hits = self._hits[key] = deque()
        hits.append(at)

    def take_back(self, key: str, at: float) -> None:
        hits = self._hits.get(key)
        if hits is not None and at in hits:
            hits.remove(at)
            if not hits:
                del self._hits[key]

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)

    def _forget_old(self) -> None:
        now = self.clock()
        stale = [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]
        for key in stale:
            del self._hits[key]
        excess = len(self._hits) - self._max_keys + 1
        for key in list(self._hits)[: max(0, excess)]:
            del self._hits[key]


def _retry_after(wait: float) -> int:
    return max(1, math.ceil(wait))


class LoginThrottle:
    """Failed sign-ins: `per_account` per (address, account) and `per_address` (default
    `3 * per_account`) per address refuse, in `window` seconds; failures of an account from
    anywhere past `per_account` delay its sign-ins by `delay_base * 2**n` seconds, at most
    `delay_max`. `clock` is a monotonic seconds clock and `sleep` waits (tests pass their own)."""

    def __init__(
        self,
        per_account: int,
        per_address: int | None = None,
        *,
        window: float = 60.0,
        delay_base: float = 0.25,
        delay_max: float = 2.0,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_keys: int = 100_000,
    ) -> None:
        if delay_base < 0 or delay_max < 0:
            raise ValueError("delays cannot be negative")
        self.per_account = per_account
        self.clock = clock
        self.delay_base = delay_base
        self.delay_max = delay_max
        self._sleep = sleep
        self._address = SlidingWindows(per_address or 3 * per_account, window, clock, max_keys)
        self._pair = SlidingWindows(per_account, window, clock, max_keys)
        # Counts only: this window never refuses (see the module's docstring).
        self._account = SlidingWindows(per_account, window, clock, max_keys)

    def __repr__(self) -> str:
        return (
            f"LoginThrottle(per_account={self._pair.limit}, per_address={self._address.limit}, "
            f"window={self._pair.window})"
        )

    def delay(self, email: str) -> float:
        """Seconds a sign-in to this account should wait before its password is checked."""
        failures = self._account.count(_email_key(email), self.clock())
        excess = failures - self.per_account
        if excess < 0 or self.delay_max == 0:
            return 0.0
        return min(self.delay_max, self.delay_base * 2.0 ** min(excess, 32))

    async def pause(self, email: str) -> None:
        """Wait `delay(email)` seconds (to be awaited before the password is checked)."""
        seconds = self.delay(email)
        if seconds > 0:
            await self._sleep(seconds)

    @contextmanager
    def attempt(
        self,
        *,
        address: str,
        email: str,
        failures: type[BaseException] | tuple[type[BaseException], ...],
    ) -> Iterator[None]:
        """Count one sign-in attempt. Raises `LoginThrottled` when the address, or the address
        for this account, is over its limit. The attempt counts as failed when the block raises
        one of `failures`; it succeeded when the block returns; any other exception takes it
        back."""
        account = _email_key(email)
        pair = f"{address}\x00{account}"
        now = self.clock()
        wait = max(self._address.wait(address, now), self._pair.wait(pair, now))
        if wait > 0:
            raise LoginThrottled(_retry_after(wait))
        self._address.add(address, now)
        self._pair.add(pair, now)
        try:
            yield
        except failures:
            self._account.add(account, now)
            raise
        except BaseException:
            self._address.take_back(address, now)
            self._pair.take_back(pair, now)
            raise
        self._address.take_back(address, now)
        self._pair.clear(pair)
        self._account.clear(account)


class RegistrationThrottle:
    """At most `per_address` registrations per client address in `window` seconds (an hour by
    default), counting every attempt that reaches the accounts service."""

    def __init__(
        self,
        per_address: int,
        *,
        window: float = 3600.0,
        clock: Clock = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self._windows = SlidingWindows(per_address, window, clock, max_keys)

    def __repr__(self) -> str:
        return f"RegistrationThrottle(per_address={self._windows.limit})"

    def check(self, address: str) -> None:
        """Count a registration from `address`; `LoginThrottled` when it is over the limit."""
        now = self._windows.clock()
        wait = self._windows.wait(address, now)
        if wait > 0:
            raise LoginThrottled(_retry_after(wait))
        self._windows.add(address, now)


def _email_key(raw: str) -> str:
    # The core's normal form, so "Alice@X.com " and "alice@x.com" share one window.
    try:
        return normalize_email(raw)
    except InvalidInput:
        return raw.strip().casefold()
