"""The SDK's one retry policy: exponential backoff with jitter, `Retry-After` honoured, bounded
in attempts and in total time, for idempotent requests only."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import tenacity
from pydantic import BaseModel, ConfigDict, Field

from g4hub_connectors.errors import RateLimitedError, TransientError

__all__ = ["RetryPolicy"]

T = TypeVar("T")


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

    async def call(self, attempt_fn: Callable[[], Awaitable[T]], *, idempotent: bool) -> T:
        """Run `attempt_fn`, retrying `TransientError`s when the request is idempotent."""
        if not idempotent or self.max_attempts == 1:
            return await attempt_fn()

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            return self.delay(state.attempt_number, error)

        def stop(state: tenacity.RetryCallState) -> bool:
            # tenacity computes the wait before asking whether to stop, so the bound on total
            # waiting includes the sleep that would come next.
            if state.attempt_number >= self.max_attempts:
                return True
            return state.idle_for + state.upcoming_sleep > self.max_total_wait

        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(TransientError),
            wait=wait,
            stop=stop,
            reraise=True,
        )
        return await retrying(attempt_fn)
