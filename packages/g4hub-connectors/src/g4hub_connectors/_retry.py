"""The SDK's one retry policy: exponential backoff with jitter, `Retry-After` honoured, bounded
in attempts and in total time, for idempotent requests only; and the one rule (`may_retry`) that
says which requests are idempotent, shared by every platform."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import tenacity
from pydantic import BaseModel, ConfigDict, Field

from g4hub_connectors.errors import RateLimitedError, TransientError

__all__ = ["READS", "RetryPolicy", "may_retry"]

T = TypeVar("T")

READS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing on the store: always safe to send again."""


def may_retry(method: str, *, idempotent: bool | None = None) -> bool:
    """Whether a request that failed in passing may be sent again: the rule every platform uses.

    - Reads (`GET`, `HEAD`, `OPTIONS`) always may.
    - Any other method only when the caller declares it idempotent (`idempotent=True`), because
      only the caller knows what the body means: a `PUT` of absolute values (a price, a tracking
      flag), or a `POST` the platform deduplicates by an idempotency key, ends in the same state
      however often it arrives. A `PUT` or `DELETE` is *not* assumed idempotent from its verb: a
      replayed `DELETE` answers 404 for a delete that worked, and platforms run their hooks
      (webhooks, emails) again on every write they receive.
    - Without a declaration (`None`) or with `idempotent=False`, a write is sent once and its
      failure goes to the caller, who knows whether sending it again is safe.
    """
    if method.upper() in READS:
        return True
    return idempotent is True


class RetryPolicy(BaseModel):
    """How transient failures (429, 5xx, timeouts, dropped connections) are retried.

    Defaults: 4 attempts, waits from 0.5 s doubling up to 30 s with full jitter, never more than
    120 s spent waiting in all. A `Retry-After` from the store replaces the computed wait.
    """

    model_config = ConfigDict(frozen=True)

    max_attempts: int = Field(default=4, ge=1, le=20)
    initial_delay: float = Field(default=0.5, ge=0)
    max_delay: float = Field(default=30.0, ge=0)
    max_total_wait: float = Field(default=120.0, ge=0)

    def delay(self, attempt: int, error: BaseException | None) -> float:
        """Seconds to wait before attempt `attempt + 1`."""
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), self.max_delay)
        ceiling = min(self.max_delay, self.initial_delay * (2 ** (attempt - 1)))
        # Full jitter: spreads the retries of many clients hitting the same store.
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311

    async def call(
        self,
        attempt_fn: Callable[[], Awaitable[T]],
        *,
        idempotent: bool,
        give_up_at: float | None = None,
    ) -> T:
        """Run `attempt_fn`, retrying `TransientError`s when the request is idempotent.

        `give_up_at` (event-loop time) is the request's deadline: a wait that would end past it
        is not started, so the caller gets the last error (a 429 stays a `RateLimitedError`)
        instead of a timeout in the middle of a sleep.
        """
        if not idempotent or self.max_attempts == 1:
            return await attempt_fn()
        loop = asyncio.get_running_loop()

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            return self.delay(state.attempt_number, error)

        def stop(state: tenacity.RetryCallState) -> bool:
            # tenacity computes the wait before asking whether to stop, so the bound on total
            # waiting includes the sleep that would come next.
            if state.attempt_number >= self.max_attempts:
                return True
            if give_up_at is not None and loop.time() + state.upcoming_sleep >= give_up_at:
                return True
            return state.idle_for + state.upcoming_sleep > self.max_total_wait

        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(TransientError),
            wait=wait,
            stop=stop,
            reraise=True,
        )
        return await retrying(attempt_fn)
